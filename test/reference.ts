/** The repository's reference data (reference/: CDL tables, SCALE-Sim rows, published figures), read the same way by every test. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = fileURLToPath(new URL('../reference/', import.meta.url));

export function readReference(relativePath: string): string {
  return readFileSync(REFERENCE_DIR + relativePath, 'utf8');
}

export const published = JSON.parse(readReference('published.json'));
