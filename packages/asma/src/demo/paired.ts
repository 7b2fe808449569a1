/**
 * Paired per-seed comparison of two encoder sets on one protocol: the same seed gives both the same
 * data, so the per-seed differences are what the seeds say. The verdict is deliberately plain.
 */

/** Two-sided 95 % critical values of Student's t for 1..10 degrees of freedom. */
const T_CRITICAL_95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

export interface PairedComparison {
  /** Per-seed differences a - b, in seed order. */
  differences: number[];
  mean: number;
  /** Sample standard deviation of the differences (0 for one seed). */
  std: number;
  /** Paired t statistic (null with fewer than two seeds or identical differences). */
  t: number | null;
  verdict: string;
}

export function pairedComparison(a: readonly number[], b: readonly number[]): PairedComparison {
  if (a.length !== b.length || a.length === 0)
    throw new RangeError(
      `pairedComparison: need the same, non-zero number of seeds, got ${a.length} and ${b.length}`,
    );
  const differences = a.map((x, i) => x - b[i]!);
  const n = differences.length;
  const mean = differences.reduce((s, d) => s + d, 0) / n;
  const std = n > 1 ? Math.sqrt(differences.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1)) : 0;
  const t = n > 1 && std > 0 ? mean / (std / Math.sqrt(n)) : null;
  const sameSign = differences.every((d) => d > 0) || differences.every((d) => d < 0);
  const critical = T_CRITICAL_95[n - 2] ?? 1.96;
  let verdict: string;
  if (n < 3) verdict = `${n} seed${n > 1 ? 's' : ''}: no verdict`;
  else if (differences.every((d) => d === 0)) verdict = 'no difference on any seed';
  else if (!sameSign) verdict = 'not supported: the sign changes between seeds';
  else if (t !== null && Math.abs(t) >= critical)
    verdict = `supported: every seed, paired t ${t.toFixed(1)} (p < 0.05)`;
  else
    verdict = `every seed the same way, but not significant (paired t ${t === null ? '-' : t.toFixed(1)} < ${critical})`;
  return { differences, mean, std, t, verdict };
}
