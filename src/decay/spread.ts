/** Five figures of a sample: least, lower quartile, median, upper quartile, greatest. */
export interface Spread {
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  /** How many values the figures are of (NaN values are left out). */
  readonly count: number;
}

/**
 * The p-quantile (0 <= p <= 1) of sorted values, interpolated linearly between order statistics
 * (Hyndman and Fan's type 7, R's and NumPy's default). -Infinity and Infinity are values like others.
 */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return h === lo || a === b ? a : a + (h - lo) * (b - a);
}

/** The {@link Spread} of the values that are not NaN (all NaN when none is). */
export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return {
    min: quantile(sorted, 0),
    q1: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    q3: quantile(sorted, 0.75),
    max: quantile(sorted, 1),
    count: sorted.length,
  };
}

/** The median of the values that are not NaN. */
export function median(values: readonly number[]): number {
  return spread(values).median;
}

/** The spread of log10(actual / bound) over layers with the same number of layers above them. */
export interface DepthSpread {
  /** L - l: 0 for output layers, 1 for the layers below them, ... */
  readonly above: number;
  readonly log10Ratio: Spread;
}

/** Groups layer analyses (of any number of networks) by L - l and gives each group's spread of log10 ratios. */
export function ratiosByDepth(layers: readonly { readonly above: number; readonly log10Ratio: number }[]): DepthSpread[] {
  const groups = new Map<number, number[]>();
  for (const { above, log10Ratio } of layers) {
    const group = groups.get(above) ?? [];
    group.push(log10Ratio);
    groups.set(above, group);
  }
  return [...groups].sort(([a], [b]) => a - b).map(([above, ratios]) => ({ above, log10Ratio: spread(ratios) }));
}

/**
 * The least-squares slope of log10 values against the layer number 1, 2, ..., negated: log10 of
 * the factor by which the values change per layer going down. NaN with fewer than two finite values.
 */
export function log10FactorPerLayer(values: readonly number[]): number {
  const points = values.map((v, l) => [l + 1, v] as const).filter(([, v]) => Number.isFinite(v));
  if (points.length < 2) return Number.NaN;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const my = points.reduce((sum, [, v]) => sum + v, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, v] of points) {
    sxy += (x - mx) * (v - my);
    sxx += (x - mx) ** 2;
  }
  return -sxy / sxx;
}
