/** `codesign laws`: passes on every shipped preset and network, finds each known-bad hardware file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../sim/presets.ts';
import { NETWORK_NAMES } from '../../nets/networks.ts';
import { codesign } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-laws-'));
const FIXTURES = new URL('../../test/fixtures/hardware/', import.meta.url).pathname;

describe('codesign laws', () => {
  it('every law holds on random presets and graphs, the engine’s too', async () => {
    const r = await codesign('laws', '--engine', '--runs', '40', '--json', '--deterministic');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.laws.map((l: { law: string }) => l.law)).toEqual(['terms-sound', 'sum-of-ops', 'rises-with-bits', 'local-buffer-sqrt-p', 'duplicate-doubles', 'capacity-spills', 'ideal-is-closed-form', 'bandwidth-adds-stall', 'outputs-reach-memory', 'each-element-once', 'datapath-scales-with-bits', 'packing-bound']);
    expect(doc.laws.every((l: { status: string; runs: number }) => l.status === 'passed' && l.runs === 40)).toBe(true);
    // Seeded: the same command gives the same bytes.
    expect((await codesign('laws', '--engine', '--runs', '40', '--json', '--deterministic')).stdout).toBe(r.stdout);
  });

  it.each(PRESETS.map((p) => [p.name]))('holds on the shipped preset %s as a hardware file, on every built-in network', async (name) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(PRESETS.find((p) => p.name === name)));
    for (const net of NETWORK_NAMES) {
      const r = await codesign('laws', '--hardware', file, '--net', net, '--runs', '15', '--json');
      expect(r.code, `${name} ${net}: ${r.stdout}`).toBe(0);
      const doc = JSON.parse(r.stdout);
      for (const law of doc.laws) {
        if (law.law === 'rises-with-bits' && !(PRESETS.find((p) => p.name === name)!.promises ?? []).length) expect(law).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/does not promise "energy-rises-with-bits"/) });
        else expect(law.status).toBe('passed');
      }
    }
  });

  it.each([
    ['negative-energy', 'terms-sound', /op \S+ has E_C -/],
    ['negative-buffer', 'terms-sound', /has E_C .*E_W -|E_A -/],
    ['falls-with-bits', 'rises-with-bits', /op \S+ \(\w+\) costs [\d.e+-]+ pJ at \d+\/\d+ bits but [\d.e+-]+ pJ at \d+\/\d+/],
  ])('finds the known-bad hardware file %s: %s fails with a shrunk counterexample, and its reproducer replays it', async (fixture, law, words) => {
    const file = join(FIXTURES, `${fixture}.json`);
    const r = await codesign('laws', '--hardware', file, '--runs', '60');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${law} fails: `));
    expect(line, r.stdout).toMatch(words);
    const reproducer = r.stdout.split('\n').find((l) => l.includes(`"law":"${law}"`))!.replace(/^.*?: \{/, '{');
    const saved = join(dir, `${fixture}.reproducer.json`);
    writeFileSync(saved, reproducer);
    expect(JSON.parse(reproducer)).toMatchObject({ law, seed: 1, hardware: file });
    const replay = await codesign('laws', '--replay', saved);
    expect(replay.code).toBe(1);
    expect(replay.stdout.split('\n').find((l) => l.startsWith(`${law} fails: `))).toBe(line);
  });

  it.each([
    [['--model', 'missing.onnx'], /--model: got "missing.onnx"; allowed: a readable ONNX file \(there is no such file or folder\)/],
    [['--only', 'gravity'], /--only: got "gravity"; allowed: terms-sound, sum-of-ops/],
    [['--hardware', join(FIXTURES, 'missing.json')], /hardware .*missing\.json: \(file\): got/],
    // A 0-bit reference width divides every energy by zero: refused when read, before any law runs.
    [['--hardware', join(FIXTURES, 'no-reference-width.json')], /hardware .*no-reference-width\.json: mac\.referenceBits: got 0; allowed: an integer from 1 to 64/],
    [['--runs', '0'], /--runs: got "0"/],
  ])('bad input %j is refused before any law runs', async (args, message) => {
    const r = await codesign('laws', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
