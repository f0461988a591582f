// NHS number: ten digits, the last a Modulus 11 check digit over the first nine (weights 10..2).

const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2];

/** The check digit for nine digits, or null when none exists (remainder gives 10) or the input is not nine digits. */
export function nhsCheckDigit(first9: string): number | null {
  if (!/^\d{9}$/.test(first9)) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * WEIGHTS[i]!;
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** Ten digits (no spaces) whose last digit is the Modulus 11 check digit of the first nine. */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  const check = nhsCheckDigit(digits.slice(0, 9));
  return check !== null && check === Number(digits[9]);
}

/** Shown as 3-3-4 with spaces, e.g. "999 123 4560"; anything not ten digits is returned unchanged. */
export function formatNhsNumber(d: string): string {
  const digits = d.replace(/\s+/g, '');
  if (!/^\d{10}$/.test(digits)) return d;
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

/** In the range 999 000 0000 - 999 999 9999, reserved for testing (all synthetic data uses it). */
export function isTestRangeNhsNumber(digits: string): boolean {
  return /^999\d{7}$/.test(digits.replace(/\s+/g, ''));
}
