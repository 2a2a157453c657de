/**
 * Caches `count(*)` totals for list pagination. Local writes clear it at once; writes made by other nodes
 * show up within `ttlMs`. Counting 100,000 rows on every page request would otherwise dominate the list cost.
 */
export class CountCache {
  private readonly entries = new Map<string, { n: number; at: number }>();

  constructor(
    private readonly ttlMs = 2000,
    private readonly maxEntries = 1000,
  ) {}

  async get(key: string, count: () => Promise<number>): Promise<number> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.n;
    const n = await count();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { n, at: now });
    return n;
  }

  clear(): void {
    this.entries.clear();
  }
}
