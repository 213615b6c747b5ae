/**
 * Typed errors for bad input. Library code throws these; the CLI maps them to one line and
 * exit code 2 (usage) — never a stack trace. Each names the field, the value and what is allowed.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(printable(`${field}: got ${showValue(value)}; ${allowed}`));
  }
}

/** A graph whose shapes do not fit together; names the op and the shapes involved. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly op: string,
    readonly detail: string,
  ) {
    super(`op '${op}': ${detail}`);
  }
}

/**
 * A message as a terminal should show it: control characters (and stray newlines) of echoed
 * input written as \u escapes, so a binary file cannot drive the terminal. `keep` is left as is.
 */
export function printable(text: string, keep = ''): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (keep.includes(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(',')}]`;
  return String(value);
}

export function showShape(shape: readonly number[]): string {
  return `[${shape.join('×')}]`;
}

/** One problem in a validated input file: the JSON path, what it held, what is allowed. */
export interface FileIssue {
  readonly path: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** Every problem found in one input file (a scenario, an experiment), reported together. */
export class FileError extends Error {
  override readonly name: string = 'FileError';
  constructor(
    readonly kind: string,
    readonly source: string,
    readonly issues: readonly FileIssue[],
  ) {
    super(printable(`${kind} ${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n`, '\n') + issues.map((i) => printable(`  ${i.path}: got ${JSON.stringify(i.value) ?? 'nothing'}; allowed: ${i.allowed}`)).join('\n'));
  }
}

/** A checkpoint that cannot be loaded (missing, corrupt, another network): bad input, not a failed run. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`checkpoint ${path}: ${problem}; it was not loaded`);
  }
}
