/** Unit roundoff of float64, u = 2^-53. */
export const U64 = 2 ** -53;
/** Unit roundoff of float32, u = 2^-24. */
export const U32 = 2 ** -24;
/** The smallest positive subnormal float64; any underflowing operation errs by at most this much. */
export const ETA64 = 2 ** -1074;

/** gamma_n = n u / (1 - n u), Higham's bound on n successive roundings. */
export function gamma(n: number, u: number = U64): number {
  return (n * u) / (1 - n * u);
}

/** The spacing of doubles at |x| (ulp of the binade of x); 2^-1074 at 0 and in the subnormals. */
export function ulp(x: number): number {
  const a = Math.abs(x);
  if (!Number.isFinite(a)) return Number.NaN;
  if (a < 2 ** -1022) return ETA64;
  const e = Math.floor(Math.log2(a));
  // Math.log2 can be off by one just below a power of two: correct it.
  const binade = 2 ** e > a ? e - 1 : 2 ** (e + 1) <= a ? e + 1 : e;
  return 2 ** (binade - 52);
}
