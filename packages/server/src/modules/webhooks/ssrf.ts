/**
 * Webhook SSRF guard: webhook targets on loopback, private, link-local, metadata and other
 * non-public addresses are refused at registration (`checkWebhookUrl`) and at connect time
 * (`resolveWebhookTarget`, `guardedLookup`), unless `allowPrivateNetworks` is set
 * (GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true).
 *
 * Connect-time use, in short (see also the notes on `guardedLookup`):
 *   - before each attempt, `checkWebhookUrl(url, opts)` (or `resolveWebhookTarget`) — Node's
 *     net skips `lookup` entirely when the host is an IP literal, so literals must be checked here;
 *   - connect with `lookup: guardedLookup(opts)` (on the request or on a dedicated Agent), so the
 *     socket goes to an address this guard has just checked (no DNS-rebinding window);
 *   - do not follow redirects and do not go through an HTTP proxy.
 */
import { promises as dns } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type net from 'node:net';
import { ValidationError } from '../../core/errors.ts';

export interface SsrfOptions {
  allowPrivateNetworks: boolean;
  /** Default: dns.promises.lookup(host, { all: true, verbatim: true }). */
  resolve?: (host: string) => Promise<{ address: string; family: 4 | 6 }[]>;
}

/** A connect-time refusal: the target is (or resolves to) a forbidden address or name. */
export class SsrfBlockedError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED';
  constructor(
    /** The host name (or IP literal) that was asked for. */
    readonly host: string,
    /** The forbidden address, when the refusal is about an address (not a name or scheme). */
    readonly address: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'SsrfBlockedError';
  }
}

type Resolved = { address: string; family: 4 | 6 };

const OPT_OUT_HINT = 'webhooks cannot target private or internal networks (set GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow them)';

// ---------------------------------------------------------------------------------------------
// Address ranges

interface Range {
  net: Uint8Array;
  bits: number;
  what: string;
}

function v4Bytes(s: string): Uint8Array | undefined {
  if (isIP(s) !== 4) return undefined;
  return Uint8Array.from(s.split('.').map(Number));
}

/** 16 bytes of an IPv6 address (zone id ignored), or undefined when `s` is not IPv6. */
function v6Bytes(s: string): Uint8Array | undefined {
  const noZone = s.split('%')[0];
  if (isIP(noZone) !== 6) return undefined;
  let text = noZone.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const b = v4Bytes(tail);
    if (!b) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(fill).fill('0'), ...restGroups];
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

function range(cidr: string, what: string): Range {
  const [addr, bits] = cidr.split('/');
  const net = v4Bytes(addr) ?? v6Bytes(addr);
  if (!net) throw new Error(`bad CIDR ${cidr}`);
  return { net, bits: Number(bits), what };
}

function inRange(addr: Uint8Array, r: Range): boolean {
  if (addr.length !== r.net.length) return false;
  const full = r.bits >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== r.net[i]) return false;
  const rem = r.bits & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (addr[full] & mask) === (r.net[full] & mask);
}

const V4_RANGES: Range[] = [
  // Named metadata endpoints first, so the message says what they are.
  range('169.254.169.254/32', 'a cloud metadata address (AWS/GCP/Azure/OpenStack IMDS)'),
  range('100.100.100.200/32', 'a cloud metadata address (Alibaba Cloud)'),
  range('168.63.129.16/32', 'a cloud platform address (Azure WireServer)'),
  range('0.0.0.0/8', 'an unspecified/"this network" address (0.0.0.0/8)'),
  range('10.0.0.0/8', 'a private address (10.0.0.0/8)'),
  range('100.64.0.0/10', 'a carrier-grade NAT address (100.64.0.0/10)'),
  range('127.0.0.0/8', 'a loopback address (127.0.0.0/8)'),
  range('169.254.0.0/16', 'a link-local address (169.254.0.0/16)'),
  range('172.16.0.0/12', 'a private address (172.16.0.0/12)'),
  range('192.0.0.0/24', 'an IETF protocol-assignment address (192.0.0.0/24)'),
  range('192.0.2.0/24', 'a documentation address (192.0.2.0/24)'),
  range('192.88.99.0/24', 'a 6to4 relay anycast address (192.88.99.0/24)'),
  range('192.168.0.0/16', 'a private address (192.168.0.0/16)'),
  range('198.18.0.0/15', 'a benchmarking address (198.18.0.0/15)'),
  range('198.51.100.0/24', 'a documentation address (198.51.100.0/24)'),
  range('203.0.113.0/24', 'a documentation address (203.0.113.0/24)'),
  range('224.0.0.0/4', 'a multicast address (224.0.0.0/4)'),
  range('255.255.255.255/32', 'the broadcast address'),
  range('240.0.0.0/4', 'a reserved address (240.0.0.0/4)'),
];

const V6_RANGES: Range[] = [
  range('fd00:ec2::254/128', 'a cloud metadata address (AWS IMDS over IPv6)'),
  range('::/128', 'the unspecified address (::)'),
  range('::1/128', 'the loopback address (::1)'),
  range('64:ff9b:1::/48', 'a local-use NAT64 address (64:ff9b:1::/48)'),
  range('100::/64', 'a discard-only address (100::/64)'),
  range('2001::/23', 'an IETF protocol-assignment address (2001::/23: Teredo, benchmarking, ORCHID, …)'),
  range('2001:db8::/32', 'a documentation address (2001:db8::/32)'),
  range('3fff::/20', 'a documentation address (3fff::/20)'),
  range('fc00::/7', 'a unique-local (private) address (fc00::/7)'),
  range('fe80::/10', 'a link-local address (fe80::/10)'),
  range('fec0::/10', 'a site-local address (fec0::/10, deprecated)'),
  range('ff00::/8', 'a multicast address (ff00::/8)'),
];

const MAPPED = range('::ffff:0:0/96', '');
const COMPAT = range('::/96', '');
const NAT64 = range('64:ff9b::/96', '');
const SIX_TO_FOUR = range('2002::/16', '');
const GLOBAL_UNICAST = range('2000::/3', '');

const dotted = (b: Uint8Array): string => Array.from(b).join('.');

function v4Reason(b: Uint8Array): string | undefined {
  return V4_RANGES.find((r) => inRange(b, r))?.what;
}

function v6Reason(b: Uint8Array): string | undefined {
  // IPv6 forms that carry an IPv4 address are judged by that address.
  const embedded = (form: string, v4: Uint8Array): string | undefined => {
    const why = v4Reason(v4);
    return why === undefined ? undefined : `${form} of ${dotted(v4)}, ${why}`;
  };
  if (inRange(b, MAPPED)) return embedded('an IPv4-mapped IPv6 form', b.subarray(12));
  if (inRange(b, NAT64)) return embedded('a NAT64 (64:ff9b::/96) form', b.subarray(12));
  const named = V6_RANGES.find((r) => inRange(b, r));
  if (named) return named.what;
  if (inRange(b, COMPAT)) {
    // Deprecated (RFC 4291) and never routed: refused whatever it embeds.
    return `an IPv4-compatible IPv6 form of ${dotted(b.subarray(12))} (::/96, deprecated)`;
  }
  if (inRange(b, SIX_TO_FOUR)) return embedded('a 6to4 (2002::/16) form', b.subarray(2, 6));
  // Fail closed: anything outside global unicast (unassigned or special space) is refused.
  if (!inRange(b, GLOBAL_UNICAST)) return 'outside IPv6 global unicast space (2000::/3)';
  return undefined;
}

/** Why `ip` (an IP literal; brackets and a zone id are accepted) is forbidden, or undefined if it is a public address. */
function addressReason(ip: string): string | undefined {
  const s = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const v4 = v4Bytes(s);
  if (v4) return v4Reason(v4);
  const v6 = v6Bytes(s);
  if (v6) return v6Reason(v6);
  return 'not an IP address';
}

/**
 * True when `ip` is not a public unicast address: see the ranges above. Accepts dotted IPv4,
 * any IPv6 text form (including `[…]`, a `%zone` and a dotted IPv4 tail). Anything that is not a
 * canonical IP literal — including inet_aton shorthands like `0177.0.0.1` or `2130706433` — is
 * treated as forbidden (fail closed); URLs normalize those first, see `checkWebhookUrl`.
 */
export function isForbiddenAddress(ip: string): boolean {
  return addressReason(ip) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Host names

function nameReason(hostname: string): string | undefined {
  const h = hostname.toLowerCase().replace(/\.+$/, '');
  const under = (suffix: string): boolean => h === suffix || h.endsWith(`.${suffix}`);
  if (under('localhost') || h === 'localhost.localdomain') return 'a loopback host name (localhost)';
  if (h === 'metadata.google.internal' || h === 'metadata' || h === 'instance-data') return 'a cloud metadata host name';
  if (under('internal')) return 'an internal host name (.internal)';
  if (under('local')) return 'a link-local mDNS host name (.local)';
  if (under('localdomain')) return 'a local host name (.localdomain)';
  if (under('home.arpa')) return 'a home-network host name (.home.arpa)';
  return undefined;
}

/** The host of a URL without IPv6 brackets. */
function bareHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

// ---------------------------------------------------------------------------------------------
// Registration-time check

/**
 * Parses and checks a webhook URL at registration. Always refused: anything but http:/https:,
 * and a user name or password in the URL. Refused unless `allowPrivateNetworks`: an IP-literal
 * host that `isForbiddenAddress`, and local/internal/metadata host names. Decimal, octal, hex and
 * short IPv4 hosts (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`) are normalized by the WHATWG
 * URL parser to dotted form before the check. Host names are not resolved here: that is the
 * connect-time check's job. Throws ValidationError('url', …); returns the parsed URL.
 */
export function checkWebhookUrl(raw: string, opts: SsrfOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('url', 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError('url', `scheme "${url.protocol}" is not allowed; use http:// or https://`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError('url', 'must not contain a user name or password (user:pass@); send credentials in webhook headers instead');
  }
  if (opts.allowPrivateNetworks) return url;
  const host = bareHost(url);
  if (isIP(host)) {
    const why = addressReason(host);
    if (why !== undefined) throw new ValidationError('url', `host ${host} is ${why}; ${OPT_OUT_HINT}`);
    return url;
  }
  const why = nameReason(host);
  if (why !== undefined) throw new ValidationError('url', `host "${host}" is ${why}; ${OPT_OUT_HINT}`);
  return url;
}

// ---------------------------------------------------------------------------------------------
// Connect-time checks

function defaultResolve(host: string): Promise<Resolved[]> {
  return dns.lookup(host, { all: true, verbatim: true }).then((list) => list.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
}

function notFound(host: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  return err;
}

/**
 * Every address `host` stands for, each checked (unless allowPrivateNetworks). Throws
 * SsrfBlockedError when the name is forbidden or ANY resolved address is.
 */
async function checkedAddresses(hostname: string, opts: SsrfOptions): Promise<Resolved[]> {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const literal = isIP(host.split('%')[0]);
  if (literal) {
    if (!opts.allowPrivateNetworks) {
      const why = addressReason(host);
      if (why !== undefined) throw new SsrfBlockedError(host, host, `webhook target ${host} is ${why}; ${OPT_OUT_HINT}`);
    }
    return [{ address: host, family: literal === 6 ? 6 : 4 }];
  }
  if (!opts.allowPrivateNetworks) {
    const why = nameReason(host);
    if (why !== undefined) throw new SsrfBlockedError(host, undefined, `webhook target "${host}" is ${why}; ${OPT_OUT_HINT}`);
  }
  const answers = await (opts.resolve ?? defaultResolve)(host);
  if (answers.length === 0) throw notFound(host);
  const out: Resolved[] = [];
  for (const a of answers) {
    const family = isIP(a.address.split('%')[0]);
    if (!family) {
      throw new SsrfBlockedError(host, a.address, `webhook target "${host}" resolved to "${a.address}", which is not an IP address`);
    }
    if (!opts.allowPrivateNetworks) {
      const why = addressReason(a.address);
      if (why !== undefined) {
        throw new SsrfBlockedError(host, a.address, `webhook target "${host}" resolves to ${a.address}, ${why}; ${OPT_OUT_HINT}`);
      }
    }
    out.push({ address: a.address, family: family === 6 ? 6 : 4 });
  }
  return out;
}

/**
 * At connect time: takes the literal host or resolves the name, refuses (SsrfBlockedError) if the
 * name or ANY resolved address is forbidden, else returns the first checked address. Resolution
 * failures (ENOTFOUND, …) are passed through as they are, not as SsrfBlockedError.
 */
export async function resolveWebhookTarget(url: URL, opts: SsrfOptions): Promise<{ address: string; family: 4 | 6 }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SsrfBlockedError(url.hostname, undefined, `webhook scheme "${url.protocol}" is not allowed; use http:// or https://`);
  }
  const [first] = await checkedAddresses(bareHost(url), opts);
  return first;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function wantedFamily(family: LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

/**
 * A `lookup` for http.request / https.request / net.connect / tls.connect (and undici's
 * `connect` options) that resolves the host, checks every address and hands back only checked
 * addresses, so the socket connects to exactly what was checked. Answers both forms Node uses:
 * `{ all: true }` (an array; what net's happy-eyeballs path asks for) and single
 * (`address, family`); honours `family` 4/6; the legacy `(hostname, callback)` form too.
 *
 * Caveats for callers:
 *   - Node does NOT call `lookup` when the host is already an IP literal, so IP-literal URLs must
 *     be checked separately before connecting (`checkWebhookUrl` / `resolveWebhookTarget`).
 *   - Put it on a dedicated Agent (`new https.Agent({ lookup, … })`) or on every request; a
 *     keep-alive socket pooled by an unguarded agent would not be checked.
 *   - Do not follow redirects (a redirect to an IP literal bypasses `lookup`), and do not send
 *     webhooks through an HTTP proxy (the lookup would then check the proxy, not the target).
 */
export function guardedLookup(opts: SsrfOptions): net.LookupFunction {
  return (hostname: string, options: LookupOptions | LookupCallback, maybeCallback?: LookupCallback): void => {
    const callback = typeof options === 'function' ? options : maybeCallback;
    const o: LookupOptions = typeof options === 'function' ? {} : (options ?? {});
    if (typeof callback !== 'function') throw new TypeError('guardedLookup: a callback is required');
    const family = wantedFamily(o.family);
    void checkedAddresses(hostname, opts).then(
      (all) => {
        const usable = family === 0 ? all : all.filter((a) => a.family === family);
        if (usable.length === 0) {
          callback(notFound(hostname), o.all ? [] : '');
        } else if (o.all) {
          callback(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          );
        } else {
          callback(null, usable[0].address, usable[0].family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, o.all ? [] : ''),
    );
  };
}
