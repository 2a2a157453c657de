/**
 * IP whitelist values: an IPv4 or IPv6 address, or a CIDR of either, in one canonical spelling so the unique
 * index on (type, value) sees `2001:DB8::1` and `2001:db8:0::1` as the same entry.
 */
import { isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export interface IpRule {
  family: IpFamily;
  /** The network address (host bits cleared), canonical. */
  address: string;
  /** Prefix length; the full length (32 or 128) for a single address. */
  prefix: number;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const FULL_PREFIX: Record<IpFamily, number> = { ipv4: 32, ipv6: 128 };

/** The rule names one address rather than a network. */
export const isSingleAddress = (rule: IpRule): boolean => rule.prefix === FULL_PREFIX[rule.family];

function v4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** 16 bytes of an address `isIP` accepted as IPv6 (an embedded IPv4 tail included). */
function v6Bytes(address: string): number[] {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const [a, b, c, d] = v4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** The bytes of a canonical address of `family` (4 or 16). */
export function addressBytes(address: string, family: IpFamily): number[] {
  return family === 'ipv4' ? v4Bytes(address) : v6Bytes(address);
}

/** RFC 5952: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`; IPv4-mapped as `::ffff:a.b.c.d`. */
function formatV6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${bytes.slice(12).join('.')}`;
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** Parses an address or CIDR; undefined when malformed (bad address, zone id, prefix out of range, empty prefix). */
export function parseIpRule(text: string): IpRule | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const version = isIP(address);
  if (version === 0 || address.includes('%')) return undefined;
  const family: IpFamily = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText !== undefined && !PREFIX.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? FULL_PREFIX[family] : Number(prefixText);
  if (prefix > FULL_PREFIX[family]) return undefined;

  const bytes = version === 4 ? v4Bytes(address) : v6Bytes(address);
  const network = bytes.map((b, i) => {
    const keep = prefix - 8 * i;
    return keep >= 8 ? b : keep <= 0 ? 0 : b & (0xff << (8 - keep)) & 0xff;
  });
  return { family, address: version === 4 ? network.join('.') : formatV6(network), prefix };
}

/**
 * The canonical spelling of an IP whitelist value, or undefined when malformed. A CIDR's host bits are cleared
 * (`10.1.2.3/8` → `10.0.0.0/8`), and a full-length prefix is the plain address (`10.0.0.1/32` → `10.0.0.1`).
 */
export function normalizeIpValue(text: string): string | undefined {
  const rule = parseIpRule(text);
  if (!rule) return undefined;
  return isSingleAddress(rule) ? rule.address : `${rule.address}/${rule.prefix}`;
}

/**
 * The rule's network bits as a string of 0s and 1s (its prefix length long), after a family tag: one rule
 * contains another exactly when the other's bits start with its bits.
 */
export function networkBits(rule: IpRule): string {
  const bytes = addressBytes(rule.address, rule.family);
  const bits = bytes.map((b) => b.toString(2).padStart(8, '0')).join('');
  return `${rule.family === 'ipv4' ? '4' : '6'}:${bits.slice(0, rule.prefix)}`;
}
