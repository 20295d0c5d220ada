import { InvalidOptionError } from '../../schemas/errors.js';

/** Commander option parsers that fail with an error naming the flag. */
export function integer(flag: string, min = Number.MIN_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidOptionError(flag, `expected an integer >= ${min}, got "${value}"`);
    }
    return n;
  };
}

export function fraction(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n >= 1) {
      throw new InvalidOptionError(flag, `expected a number between 0 and 1, got "${value}"`);
    }
    return n;
  };
}

export function oneOf<T extends string | number>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    const match = allowed.find((a) => String(a) === value);
    if (match === undefined) {
      throw new InvalidOptionError(flag, `expected one of ${allowed.join(', ')}, got "${value}"`);
    }
    return match;
  };
}

export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const TARGET_WORDS = ['min', 'median', 'mean', 'max'] as const;

/** A balancing target: a count per class, or one of min, median, mean, max. */
export function balanceTarget(value: string): number | (typeof TARGET_WORDS)[number] {
  const word = TARGET_WORDS.find((w) => w === value);
  return word ?? integer('--balance-target', 1)(value);
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || value.trim() === '') {
      throw new InvalidOptionError(flag, `expected a number >= 0, got "${value}"`);
    }
    return n;
  };
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A duration such as `90s`, `15m`, `1h` or `2d`, in milliseconds (at least 1). */
export function duration(flag: string) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
    const ms = match ? Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? NaN) : NaN;
    if (!(ms >= 1) || !Number.isFinite(ms)) {
      throw new InvalidOptionError(
        flag,
        `expected a duration such as 30s, 15m, 1h, got "${value}"`,
      );
    }
    return Math.round(ms);
  };
}

/** An http or https URL, as given. */
export function httpUrl(flag: string) {
  return (value: string): string => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new InvalidOptionError(flag, `expected an http or https URL, got "${value}"`);
    }
    return value;
  };
}
