/** Where imported measurements can be seen, by the rollup granularities that keep them. */
const PLACES: ReadonlyArray<[granularities: string, where: string]> = [
  ['5m,1h,1d', 'on the live map and in every chart (5-minute, hourly and daily buckets)'],
  ['1h,1d', 'in hourly and daily charts (too old for the 5-minute buckets of the live map)'],
  ['1d', 'in daily charts and /api/v1/aggregation only (too old for 5-minute and hourly buckets)'],
];

/** Counts imported measurements per set of kept granularities, for the import summary. */
export class RetentionTally {
  readonly #counts = new Map<string, number>();

  /** `kept` null: the caller does not know the store's retention, so there is nothing to say. */
  add(kept: readonly string[] | null): void {
    if (kept === null) return;
    const key = kept.join(',');
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  lines(): string[] {
    const known = PLACES.flatMap(([key, where]) => {
      const count = this.#counts.get(key) ?? 0;
      return count === 0 ? [] : [`${count} ${where}`];
    });
    const other = [...this.#counts].filter(([key]) => !PLACES.some(([place]) => place === key));
    return [...known, ...other.map(([key, count]) => `${count} in the ${key} buckets`)];
  }
}
