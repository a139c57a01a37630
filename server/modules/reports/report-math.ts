/** Averages and percentiles over duration histograms (pure). */

export interface Histogram {
  /** minute value -> tickets */
  counts: Map<number, number>;
  n: number;
  seconds: number;
}

export const emptyHistogram = (): Histogram => ({ counts: new Map(), n: 0, seconds: 0 });

export function addToHistogram(h: Histogram, minutes: number, n: number, seconds: number): void {
  h.counts.set(minutes, (h.counts.get(minutes) ?? 0) + n);
  h.n += n;
  h.seconds += seconds;
}

/**
 * The p-th percentile (0..1) by the nearest-rank method: the smallest value with at least
 * p of the tickets at or below it. In whole minutes under a day, whole hours above.
 */
export function percentile(h: Histogram, p: number): number | null {
  if (h.n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * h.n));
  let seen = 0;
  for (const m of [...h.counts.keys()].sort((a, b) => a - b)) {
    seen += h.counts.get(m)!;
    if (seen >= rank) return m;
  }
  return null;
}

export const averageMinutes = (h: Histogram): number | null => (h.n === 0 ? null : round1(h.seconds / 60 / h.n));
export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);
