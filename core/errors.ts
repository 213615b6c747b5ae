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

/**
 * A value as a message shows it: JSON-like, cut to a few items and levels and ~100 characters, so a
 * value nested 200,000 deep, a YAML alias that contains itself or a 1 MB string prints one short
 * line (never a stack overflow or a "circular structure" from the printer).
 */
export function showValue(value: unknown): string {
  const text = shown(value, 0, new Set());
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

function shown(v: unknown, depth: number, open: Set<object>): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 100 ? `${v.slice(0, 99)}…` : v);
  if (typeof v !== 'object' || v === null) return String(v);
  if (open.has(v)) return '<itself>';
  const items = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  if (depth >= 3 && items.length > 0) return Array.isArray(v) ? '[…]' : '{…}';
  open.add(v);
  const parts = items.slice(0, 6).map(([k, x]) => (Array.isArray(v) ? '' : `${JSON.stringify(k)}:`) + shown(x, depth + 1, open));
  open.delete(v);
  if (items.length > 6) parts.push('…');
  return Array.isArray(v) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
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
    // One problem is one line; several are listed under a count, one a line.
    const told = (i: FileIssue) => printable(`${i.path}: got ${showValue(i.value)}; allowed: ${i.allowed}`);
    super(issues.length === 1 ? `${printable(`${kind} ${source}`)}: ${told(issues[0])}` : printable(`${kind} ${source}: ${issues.length} problems\n`, '\n') + issues.map((i) => `  ${told(i)}`).join('\n'));
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

/**
 * A service the run needs (Redis) that cannot be reached or is not what the URL says: not the
 * user's typing (exit 1, not 2), but told in one line naming the service, where, and why.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly service: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${service} at ${where}: ${problem}`);
  }
}
