/**
 * A small cache of values that may be up to `ttlMs` old. The owner clears it on every local write, so this
 * node reads its own writes at once; writes made by other nodes show within `ttlMs`. Used for list totals
 * (`count(*)` over 100,000 rows) and for hot list pages.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  /** Bumped by clear(): a value loaded before a write must not be stored after it. */
  private generation = 0;

  constructor(
    private readonly ttlMs = 2000,
    private readonly maxEntries = 1000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation !== this.generation) return value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, at: now });
    return value;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
