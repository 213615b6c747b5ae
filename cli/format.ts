/** Plain-text tables for the terminal: right-aligned numbers, left-aligned text. */
export type Cell = string | number;

export function formatNumber(value: number, digits = 4): string {
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e12) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  if (abs >= 0.001) return value.toPrecision(digits);
  return value.toExponential(digits - 1);
}

export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === ''));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
