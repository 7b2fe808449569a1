/**
 * erf to double precision via the all-positive series erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!
 * (no cancellation; |x| >= 6 rounds to +-1 in float64).
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z >= 6) return Math.sign(x);
  let term = z;
  let total = z;
  for (let n = 1; term > total * 1e-17; n++) {
    term *= (2 * z * z) / (2 * n + 1);
    total += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * total;
  return x < 0 ? -r : r;
}
