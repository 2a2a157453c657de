import { isIPv6 } from 'node:net';
import { addressBytes, parseIpRule } from './ip.js';

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

/** An IPv6 address as four unsigned 32-bit words into `out`; false unless node:net accepts it (a zone id is refused). */
function parseV6(s: string, out: number[]): boolean {
  if (!isIPv6(s) || s.includes('%')) return false;
  let text = s;
  let tail = -1;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    tail = parseV4(s.slice(lastColon + 1));
    text = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const gap = text.indexOf('::');
  const head = gap < 0 ? text : text.slice(0, gap);
  const rest = gap < 0 ? '' : text.slice(gap + 2);
  const h = head === '' ? [] : head.split(':');
  const t = rest === '' ? [] : rest.split(':');
  const groups = new Array<number>(8).fill(0);
  for (let i = 0; i < h.length; i++) groups[i] = parseInt(h[i], 16);
  for (let i = 0; i < t.length; i++) groups[8 - t.length + i] = parseInt(t[i], 16);
  if (tail >= 0) {
    groups[6] = Math.floor(tail / 65536);
    groups[7] = tail % 65536;
  }
  for (let k = 0; k < 4; k++) out[k] = groups[2 * k] * 65536 + groups[2 * k + 1];
  return true;
}

/** The first `prefix` bits of an IPv4 number, as a Set key. */
const v4Key = (address: number, prefix: number): number => (prefix === 0 ? 0 : Math.floor(address / 2 ** (32 - prefix)));

/** The first `prefix` bits of an IPv6 address (four words), as a Set key. */
function v6Key(words: number[], prefix: number): string {
  let key = '';
  for (let k = 0; 32 * k < prefix; k++) {
    const bits = Math.min(32, prefix - 32 * k);
    key += `${bits === 32 ? words[k] : Math.floor(words[k] / 2 ** (32 - bits))},`;
  }
  return key;
}

/** A set of networks of one family: per prefix length present, the set of network keys. */
class Networks<K> {
  private readonly byPrefix = new Map<number, Set<K>>();
  prefixes: number[] = [];
  add(prefix: number, key: K): void {
    let set = this.byPrefix.get(prefix);
    if (!set) {
      set = new Set();
      this.byPrefix.set(prefix, set);
      this.prefixes = [...this.byPrefix.keys()].sort((a, b) => b - a);
    }
    set.add(key);
  }
  has(prefix: number, key: K): boolean {
    return this.byPrefix.get(prefix)!.has(key);
  }
}

/**
 * A matcher over the entries in effect at `now`: enabled, and `startsAt <= now < endsAt` (a missing bound is
 * open). Disabled, expired and not-yet-started entries never match. Account ids match exactly (case-sensitive, as
 * stored). An IP is looked up once per distinct prefix length among the entries (a Set per length), never by
 * scanning the entries. An IPv4 client also matches IPv6 entries as its IPv4-mapped form (`::ffff:a.b.c.d`), and an
 * IPv4-mapped IPv6 client matches IPv4 entries (as node:net BlockList does). Rebuild it when the entries change or
 * when `validUntil` has passed.
 */
export function createWhitelistMatcher(entries: readonly WhitelistEntryLike[], now: Date): WhitelistMatcher {
  const t = now.getTime();
  const accounts = new Set<string>();
  const v4 = new Networks<number>();
  const v6 = new Networks<string>();
  let validUntil = Infinity;

  for (const e of entries) {
    if (!e.enabled) continue;
    const startsAt = e.startsAt === null ? -Infinity : Date.parse(e.startsAt);
    const endsAt = e.endsAt === null ? Infinity : Date.parse(e.endsAt);
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
    // Values are validated on write; a malformed one (written around the API) is ignored rather than trusted.
    const rule = parseIpRule(e.value);
    if (!rule) continue;
    const bytes = addressBytes(rule.address, rule.family);
    if (rule.family === 'ipv4') {
      v4.add(rule.prefix, v4Key(bytes.reduce((n, b) => n * 256 + b, 0), rule.prefix));
    } else {
      const words = [0, 1, 2, 3].map((k) => bytes.slice(4 * k, 4 * k + 4).reduce((n, b) => n * 256 + b, 0));
      v6.add(rule.prefix, v6Key(words, rule.prefix));
    }
  }

  const words = [0, 0, 0, 0];
  const inV4 = (address: number) => v4.prefixes.some((p) => v4.has(p, v4Key(address, p)));
  const inV6 = () => v6.prefixes.some((p) => v6.has(p, v6Key(words, p)));

  function ipMatches(ip: string): boolean {
    const address = parseV4(ip);
    if (address >= 0) {
      if (inV4(address)) return true;
      if (v6.prefixes.length === 0) return false;
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

  const hasIps = v4.prefixes.length > 0 || v6.prefixes.length > 0;
  return {
    validUntil,
    matches(accountId, ip) {
      if (accountId !== undefined && accounts.has(accountId)) return true;
      return hasIps && ip !== undefined && ipMatches(ip);
    },
  };
}
