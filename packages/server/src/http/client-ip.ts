import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../config.ts';

/** Which hops' X-Forwarded-For to believe: `addr` is the address at hop `i` (0 = the TCP peer). */
export type TrustFunction = (addr: string, i: number) => boolean;

/**
 * The one rule for a request's client IP, from TRUST_PROXY. Fastify is given `trust` (so `request.ip` follows
 * it), and the game-client fast path and the socket gateway call `ipOf` on the raw request.
 *
 * - false: the TCP peer; X-Forwarded-For is ignored.
 * - true: the leftmost X-Forwarded-For entry (every peer is a trusted proxy).
 * - a hop count n: the address n hops back, i.e. the n-th X-Forwarded-For entry from the right. Only right when
 *   every request passes through exactly n proxies; anyone who reaches the port directly chooses their IP.
 * - a list of addresses/CIDRs: walk back from the peer while the hop is one of them.
 *
 * Fastify alone treats a bare number as "trust nothing"; the hop count is implemented here instead.
 */
export function clientIpRule(trustProxy: Config['trustProxy']): { trust: TrustFunction | false; ipOf(req: IncomingMessage): string } {
  const trust = trustFunction(trustProxy);
  if (!trust) return { trust, ipOf: (req) => req.socket.remoteAddress ?? '' };
  return {
    trust,
    ipOf(req) {
      const all = proxyAddr.all(req, trust);
      return all[all.length - 1] ?? '';
    },
  };
}

function trustFunction(trustProxy: Config['trustProxy']): TrustFunction | false {
  if (trustProxy === false) return false;
  if (trustProxy === true) return () => true;
  if (typeof trustProxy === 'number') {
    const hops = trustProxy;
    return (_addr, i) => i < hops;
  }
  return remembered(proxyAddr.compile(trustProxy));
}

/** How many addresses' trust decisions a node keeps (then it forgets them all and starts again). */
export const TRUST_MEMO_SIZE = 1024;

/**
 * A list's decision for an address, remembered: proxy-addr parses the address with ipaddr.js on every call (two
 * or three parses of the same proxy address per request, ~15,000 instructions, a tenth of a game-client answer),
 * and the addresses a node asks about are mostly its few proxies. The list's function ignores the hop index, so
 * the decision depends on the address text alone. Bounded: a flood of distinct addresses only empties it now
 * and then.
 */
function remembered(trust: TrustFunction): TrustFunction {
  const decisions = new Map<string, boolean>();
  return (addr, i) => {
    // Only what can be an address is kept (an IPv6 address is at most 45 characters): a forwarded "address" can be
    // any text a caller put in the header, and the memo must stay small.
    if (addr.length > 45) return trust(addr, i);
    let trusted = decisions.get(addr);
    if (trusted === undefined) {
      trusted = trust(addr, i);
      if (decisions.size >= TRUST_MEMO_SIZE) decisions.clear();
      decisions.set(addr, trusted);
    }
    return trusted;
  };
}
