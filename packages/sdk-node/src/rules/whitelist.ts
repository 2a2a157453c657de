/** What the matcher reads of a whitelist entry. */
export interface WhitelistEntryLike {
  type: 'account' | 'ip';
  value: string;
  enabled: boolean;
  startsAt: string | null;
  endsAt: string | null;
}

export interface WhitelistMatcher {
  /** True when the account id or the client IP is whitelisted by an entry in effect. */
  matches(accountId: string | undefined, ip: string | undefined): boolean;
  /** When (ms since epoch) the set of entries in effect next changes: the earliest future startsAt or endsAt; Infinity if never. */
  validUntil: number;
}

/** An IPv4 address in dotted-quad form as an unsigned 32-bit number; -1 unless well-formed (no leading zeros, like node:net isIP). */
function parseV4(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57 || (digits > 0 && part === 0)) return -1;
    part = part * 10 + (c - 48);
    if (++digits > 3 || part > 255) return -1;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;
const groups = new Array<number>(8).fill(0);

/**
 * An IPv6 address as four unsigned 32-bit words into `out`; false unless well-formed (hex groups of 1–4 digits, at
 * most one `::`, an optional dotted IPv4 tail; a zone id is refused). One pass over the characters, no allocation.
 */
function parseV6(s: string, out: number[]): boolean {
  const len = s.length;
  let n = 0;
  let gap = -1;
  let i = 0;
  if (len < 2) return false;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let value = 0;
    let digits = 0;
    let j = i;
    for (; j < len; j++) {
      const c = s.charCodeAt(j);
      const h = c < 128 ? HEX[c] : -1;
      if (h < 0) break;
      value = value * 16 + h;
      if (++digits > 4) return false;
    }
    if (j < len && s.charCodeAt(j) === 46) {
      const tail = n <= 6 ? parseV4(s.slice(i)) : -1;
      if (tail < 0) return false;
      groups[n++] = Math.floor(tail / 65536);
      groups[n++] = tail % 65536;
      break;
    }
    if (digits === 0 || n === 8) return false;
    groups[n++] = value;
    if (j === len) break;
    if (s.charCodeAt(j) !== 58 || ++j === len) return false;
    if (s.charCodeAt(j) === 58) {
      if (gap >= 0) return false;
      gap = n;
      j++;
    }
    i = j;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const fill = 8 - n;
  for (let k = 0; k < 4; k++) {
    const a = 2 * k < (gap < 0 ? 8 : gap) ? groups[2 * k] : 2 * k < gap + fill ? 0 : groups[2 * k - fill];
    const b = 2 * k + 1 < (gap < 0 ? 8 : gap) ? groups[2 * k + 1] : 2 * k + 1 < gap + fill ? 0 : groups[2 * k + 1 - fill];
    out[k] = a * 65536 + b;
  }
  return true;
}

/** The first `bits` (0–32) bits of a 32-bit word, as a number. */
const head = (word: number, bits: number): number => (bits >= 32 ? word : bits <= 0 ? 0 : Math.floor(word / 2 ** (32 - bits)));

/**
 * IPv4 networks as disjoint ranges of addresses, sorted: a lookup is one binary search, whatever the number of
 * entries and prefix lengths.
 */
class V4Networks {
  private pending: [number, number][] = [];
  private starts = new Float64Array(0);
  private ends = new Float64Array(0);
  add(prefix: number, address: number): void {
    const size = 2 ** (32 - prefix);
    const start = address - (address % size);
    this.pending.push([start, start + size - 1]);
  }
  /** Sorts and merges what was added; call once, after the last add. */
  seal(): void {
    const ranges = this.pending.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of ranges) {
      const lastRange = merged[merged.length - 1];
      if (lastRange && r[0] <= lastRange[1] + 1) lastRange[1] = Math.max(lastRange[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.starts = Float64Array.from(merged, (r) => r[0]);
    this.ends = Float64Array.from(merged, (r) => r[1]);
    this.pending = [];
  }
  get empty(): boolean {
    return this.starts.length === 0;
  }
  has(address: number): boolean {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= address) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && address <= this.ends[hi];
  }
}

type Trie = Map<number, Trie | true>;

/** An IP entry's network, parsed: an IPv4 number or four IPv6 words, and the prefix length. */
interface ParsedIp {
  family: 'ipv4' | 'ipv6';
  prefix: number;
  words: number[];
}

/**
 * An IP entry's value (`address` or `address/prefix`) with the one-pass parsers above: a matcher is rebuilt on every
 * change of the entries, and at 100,000 entries node:net and canonical spellings (parseIpRule) cost seconds. Values
 * are validated on write; a malformed one (written around the API) is ignored (null) rather than trusted. Host bits
 * are left as given: the matcher compares the first `prefix` bits only.
 */
function parsedIp(e: WhitelistEntryLike): ParsedIp | null {
  const value = e.value;
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const v4 = parseV4(address);
  const words = v4 >= 0 ? [v4] : [0, 0, 0, 0];
  if (v4 < 0 && !parseV6(address, words)) return null;
  const full = v4 >= 0 ? 32 : 128;
  const prefix = slash < 0 ? full : prefixOf(value, slash + 1);
  if (prefix < 0 || prefix > full) return null;
  return { family: v4 >= 0 ? 'ipv4' : 'ipv6', prefix, words };
}

/** The decimal prefix length from `start` to the end of `s` (no leading zeros, at most 3 digits); -1 if malformed. */
function prefixOf(s: string, start: number): number {
  const len = s.length - start;
  if (len < 1 || len > 3 || (len > 1 && s.charCodeAt(start) === 48)) return -1;
  let n = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** IPv6 networks: per prefix length present, nested maps of the network's 32-bit words (numbers, no strings). */
class V6Networks {
  private readonly byPrefix = new Map<number, Trie>();
  private everything = false;
  prefixes: number[] = [];
  add(prefix: number, words: number[]): void {
    if (prefix === 0) {
      this.everything = true;
      return;
    }
    let node: Trie | undefined = this.byPrefix.get(prefix);
    if (!node) {
      node = new Map();
      this.byPrefix.set(prefix, node);
      this.prefixes = [...this.byPrefix.keys()].sort((a, b) => b - a);
    }
    const last = Math.ceil(prefix / 32) - 1;
    for (let k = 0; k < last; k++) {
      const next: Trie | true | undefined = node.get(words[k]);
      const child: Trie = next === undefined || next === true ? new Map() : next;
      if (child !== next) node.set(words[k], child);
      node = child;
    }
    node.set(head(words[last], prefix - 32 * last), true);
  }
  get empty(): boolean {
    return !this.everything && this.prefixes.length === 0;
  }
  has(words: number[]): boolean {
    if (this.everything) return true;
    for (const p of this.prefixes) {
      let node: Trie | true | undefined = this.byPrefix.get(p)!;
      const last = Math.ceil(p / 32) - 1;
      for (let k = 0; k < last && node !== undefined; k++) node = (node as Trie).get(words[k]);
      if (node !== undefined && (node as Trie).get(head(words[last], p - 32 * last)) === true) return true;
    }
    return false;
  }
}

const OPEN: readonly [number, number] = [-Infinity, Infinity];

/** An entry's window as ms since epoch (most entries have none). */
function windowOf(e: WhitelistEntryLike): readonly [number, number] {
  if (e.startsAt === null && e.endsAt === null) return OPEN;
  return [e.startsAt === null ? -Infinity : Date.parse(e.startsAt), e.endsAt === null ? Infinity : Date.parse(e.endsAt)];
}

const sameHead = (a: number, b: number, bits: number): boolean => head(a, bits) === head(b, bits);

/**
 * Whether any of `entries` lets this caller in at `now` (ms), testing them one by one with the matcher's rules
 * (windows, exact account ids, IPv4-mapped addresses both ways) without building a matcher: for checking one caller
 * against a changed set of entries while the matcher over them is not rebuilt yet.
 */
export function anyEntryMatches(entries: Iterable<WhitelistEntryLike>, accountId: string | undefined, ip: string | undefined, now: number): boolean {
  // The caller as an IPv4 number (-1 if none, also from an IPv4-mapped IPv6 address) and as four IPv6 words.
  let v4 = -1;
  const v6 = [0, 0, 0, 0];
  let hasV6 = false;
  if (ip !== undefined) {
    v4 = parseV4(ip);
    if (v4 >= 0) {
      v6[2] = 0xffff;
      v6[3] = v4;
      hasV6 = true;
    } else if (parseV6(ip, v6)) {
      hasV6 = true;
      if (v6[0] === 0 && v6[1] === 0 && v6[2] === 0xffff) v4 = v6[3];
    }
  }
  for (const e of entries) {
    if (!e.enabled) continue;
    const [startsAt, endsAt] = windowOf(e);
    if (startsAt > now || endsAt <= now) continue;
    if (e.type === 'account') {
      if (accountId !== undefined && e.value === accountId) return true;
      continue;
    }
    const p = parsedIp(e);
    if (!p) continue;
    if (p.family === 'ipv4') {
      if (v4 >= 0 && sameHead(v4, p.words[0], p.prefix)) return true;
    } else if (hasV6 && p.words.every((w, k) => sameHead(v6[k], w, Math.min(32, Math.max(0, p.prefix - 32 * k))))) {
      return true;
    }
  }
  return false;
}

/**
 * A matcher over the entries in effect at `now`: enabled, and `startsAt <= now < endsAt` (a missing bound is
 * open). Disabled, expired and not-yet-started entries never match. Account ids match exactly (case-sensitive, as
 * stored). An IPv4 address is one binary search over the entries' networks merged into sorted ranges; an IPv6 address
 * one walk of a map of 32-bit words per prefix length present; never a scan of the entries. An IPv4 client also matches IPv6 entries as its IPv4-mapped form (`::ffff:a.b.c.d`), and an
 * IPv4-mapped IPv6 client matches IPv4 entries (as node:net BlockList does). Rebuild it when the entries change or
 * when `validUntil` has passed.
 */
export function createWhitelistMatcher(entries: readonly WhitelistEntryLike[], now: Date): WhitelistMatcher {
  const t = now.getTime();
  const accounts = new Set<string>();
  const v4 = new V4Networks();
  const v6 = new V6Networks();
  let validUntil = Infinity;

  for (const e of entries) {
    if (!e.enabled) continue;
    const [startsAt, endsAt] = windowOf(e);
    if (startsAt > t) {
      validUntil = Math.min(validUntil, startsAt);
      continue;
    }
    if (endsAt <= t) continue;
    validUntil = Math.min(validUntil, endsAt);

    if (e.type === 'account') {
      accounts.add(e.value);
      continue;
    }
    const ip = parsedIp(e);
    if (!ip) continue;
    if (ip.family === 'ipv4') v4.add(ip.prefix, ip.words[0]);
    else v6.add(ip.prefix, ip.words);
  }

  v4.seal();
  const words = [0, 0, 0, 0];
  const inV4 = (address: number) => v4.has(address);
  const inV6 = () => v6.has(words);

  function ipMatches(ip: string): boolean {
    const address = parseV4(ip);
    if (address >= 0) {
      if (inV4(address)) return true;
      if (v6.empty) return false;
      words[0] = 0;
      words[1] = 0;
      words[2] = 0xffff;
      words[3] = address;
      return inV6();
    }
    if (!parseV6(ip, words)) return false;
    if (inV6()) return true;
    return words[0] === 0 && words[1] === 0 && words[2] === 0xffff && inV4(words[3]);
  }

  const hasIps = !v4.empty || !v6.empty;
  return {
    validUntil,
    matches(accountId, ip) {
      if (accountId !== undefined && accounts.has(accountId)) return true;
      return hasIps && ip !== undefined && ipMatches(ip);
    },
  };
}
