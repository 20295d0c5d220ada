/**
 * Number formatting as in the real CSV files, which were written by Python: integer columns
 * without a decimal point, float columns as Python's `repr` (shortest round-trip digits, a
 * trailing `.0` on whole values, exponent notation below 1e-4 with at least two exponent
 * digits, e.g. `5.929470062255859e-05`).
 */

// Fractions of a 10-packet window are k / 10; their text is looked up, not formatted per row.
const TENTHS = Array.from({ length: 11 }, (_, k) => formatFloat(k / 10));

/** An integer column value, e.g. `9` or `1521`. */
export function formatInt(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`not a safe integer: ${value}`);
  }
  return String(value);
}

/** A float column value the way Python's `repr` writes it, e.g. `64.0`, `0.0081794023513793`. */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`not a finite number: ${value}`);
  }
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';

  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e16) return pythonExponent(value.toExponential());
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}

/** The fraction `count / 10` as a float column value, e.g. `0.3`. */
export function formatTenths(count: number): string {
  const text = TENTHS[count];
  if (text === undefined) throw new RangeError(`not a count of tenths: ${count}`);
  return text;
}

// JavaScript writes `5.9e-5` and `1e+16`; Python pads the exponent to two digits.
function pythonExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}
