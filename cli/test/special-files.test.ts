/** Files a user names are regular files under a stated size, checked before a byte is read: /dev/zero, a FIFO, a directory. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codesign } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-special-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fifo = join(dir, 'pipe');
execFileSync('mkfifo', [fifo]);
const classifier = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'onnx', 'classifier.onnx');

describe('special files as inputs', () => {
  it.each([
    [['energy', '--hardware', '/dev/zero'], /^codesign: --hardware: got "\/dev\/zero"; allowed: a readable JSON hardware description, a regular file \(this is a device\)$/],
    [['energy', '--model', fifo], /^codesign: --model: got ".*pipe"; allowed: a readable ONNX file, a regular file \(this is a FIFO\)$/],
    [['energy', '--net', 'precoder', '--bits-file', '/dev/zero'], /^codesign: --bits-file: got "\/dev\/zero"; allowed: a readable JSON object of layer → bits, a regular file \(this is a device\)$/],
    [['search', '--model', classifier, '--data', dir], /^codesign: --data: got ".*codesign-special-.*"; allowed: a readable \.npz file, a regular file \(this is a directory\)$/],
  ])('%j: one line, exit 2, nothing read', async (args, message) => {
    const r = await codesign(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
