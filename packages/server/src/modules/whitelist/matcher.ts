import { BlockList, isIP } from 'node:net';
import { isSingleAddress, parseIpRule } from './ip.ts';
import type { PublicWhitelistEntry } from './schemas.ts';

const IP_MEMO_MAX = 100_000;

export interface WhitelistMatcher {
  /** True when the account id or the client IP is whitelisted by an entry in effect. */
  matches(accountId: string | undefined, ip: string | undefined): boolean;
  /** When (ms since epoch) the set of entries in effect next changes: the earliest future startsAt or endsAt; Infinity if never. */
  validUntil: number;
}

/**
 * A pure matcher over the entries in effect at `now`: enabled, and `startsAt <= now <
 * endsAt` (a missing bound is open). Disabled, expired and not-yet-started entries never match. Account ids
 * match exactly (case-sensitive, as stored). IPs go through node:net BlockList, which also matches an
 * IPv4-mapped IPv6 client address (`::ffff:10.0.0.5`) against IPv4 entries and the other way round.
 * Rebuild it when the entries change or when `validUntil` has passed.
 */
export function createWhitelistMatcher(entries: readonly PublicWhitelistEntry[], now: Date): WhitelistMatcher {
  const t = now.getTime();
  const accounts = new Set<string>();
  const ips = new BlockList();
  let hasIps = false;
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
    if (isSingleAddress(rule)) ips.addAddress(rule.address, rule.family);
    else ips.addSubnet(rule.address, rule.prefix, rule.family);
    hasIps = true;
  }

  // BlockList.check builds a SocketAddress per call; game clients come back from the same addresses, so the
  // answer per address is remembered for the life of this matcher (bounded: cleared when it grows large).
  const byIp = new Map<string, boolean>();
  function ipMatches(ip: string): boolean {
    let hit = byIp.get(ip);
    if (hit === undefined) {
      const version = isIP(ip);
      hit = version !== 0 && ips.check(ip, version === 4 ? 'ipv4' : 'ipv6');
      if (byIp.size >= IP_MEMO_MAX) byIp.clear();
      byIp.set(ip, hit);
    }
    return hit;
  }

  return {
    validUntil,
    matches(accountId, ip) {
      if (accountId !== undefined && accounts.has(accountId)) return true;
      return hasIps && ip !== undefined && ipMatches(ip);
    },
  };
}
