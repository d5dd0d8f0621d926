/** Least-squares slope of y over x (units of y per unit of x); 0 for fewer than two distinct x. */
export function fittedSlope(points: ReadonlyArray<{ x: number; y: number }>): number {
  return slopeFit(points).slope;
}

/**
 * The least-squares slope and its standard error. The error says how far noise alone (a descriptor
 * count that moves with the agents' rounds, a heap between collections) could tilt the fit, so a soak
 * can fail only on growth the noise does not explain.
 */
export function slopeFit(points: ReadonlyArray<{ x: number; y: number }>): {
  slope: number;
  standardError: number;
} {
  const n = points.length;
  if (n < 2) return { slope: 0, standardError: 0 };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  if (variance === 0) return { slope: 0, standardError: 0 };
  const slope = covariance / variance;
  if (n < 3) return { slope, standardError: 0 };
  const intercept = meanY - slope * meanX;
  const residuals = points.reduce((sum, p) => sum + (p.y - intercept - slope * p.x) ** 2, 0);
  return { slope, standardError: Math.sqrt(residuals / (n - 2) / variance) };
}
