import { InputError } from './errors.ts';

/** Parses a positive integer (e.g. a dimension); rejects 0, negatives, fractions and junk. */
export function positiveInt(field: string, raw: string | number, max = Number.MAX_SAFE_INTEGER): number {
  const value = typeof raw === 'number' ? raw : Number(raw.trim());
  if (typeof raw === 'string' && !/^\s*\+?\d+\s*$/.test(raw)) {
    throw new InputError(field, raw, `allowed: a positive integer${max < Number.MAX_SAFE_INTEGER ? ` ≤ ${max}` : ''}`);
  }
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InputError(field, raw, `allowed: a positive integer${max < Number.MAX_SAFE_INTEGER ? ` ≤ ${max}` : ''}`);
  }
  return value;
}

/** Parses an integer in [min, max] (e.g. bits per element). */
export function intInRange(field: string, raw: string | number, min: number, max: number): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  if ((typeof raw === 'string' && !/^\s*[+-]?\d+\s*$/.test(raw)) || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(field, raw, `allowed: an integer from ${min} to ${max}`);
  }
  return value;
}

/** Parses a finite positive real number. */
export function positiveNumber(field: string, raw: string | number): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'string' && raw.trim() === '') throw new InputError(field, raw, 'allowed: a finite number > 0');
  if (!Number.isFinite(value) || value <= 0) throw new InputError(field, raw, 'allowed: a finite number > 0');
  return value;
}

/** Parses a comma-separated list of positive integers, optionally of an exact length. */
export function positiveIntList(field: string, raw: string, options: { length?: number; max?: number } = {}): number[] {
  const parts = raw.split(',');
  if (options.length !== undefined && parts.length !== options.length) {
    throw new InputError(field, raw, `allowed: exactly ${options.length} comma-separated values`);
  }
  return parts.map((part) => {
    try {
      return positiveInt(field, part, options.max);
    } catch {
      throw new InputError(
        field,
        raw,
        `allowed: comma-separated positive integers${options.max !== undefined ? ` ≤ ${options.max}` : ''} (bad entry ${JSON.stringify(part)})`,
      );
    }
  });
}

export function oneOf<T extends string>(field: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new InputError(field, raw, `allowed: ${allowed.join(', ')}`);
}

/** Parses any finite real number (e.g. an SNR in dB). */
export function finiteNumber(field: string, raw: string | number): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  if ((typeof raw === 'string' && raw.trim() === '') || !Number.isFinite(value)) {
    throw new InputError(field, raw, 'allowed: a finite number');
  }
  return value;
}

/** Parses a finite number ≥ 0 (e.g. a tolerance). */
export function nonNegativeNumber(field: string, raw: string | number): number {
  const value = finiteNumber(field, raw);
  if (value < 0) throw new InputError(field, raw, 'allowed: a finite number ≥ 0');
  return value;
}

/** Parses a fraction in [0, 1] (e.g. a quantization ratio). */
export function fraction(field: string, raw: string | number): number {
  const value = finiteNumber(field, raw);
  if (value < 0 || value > 1) throw new InputError(field, raw, 'allowed: a number from 0 to 1');
  return value;
}
