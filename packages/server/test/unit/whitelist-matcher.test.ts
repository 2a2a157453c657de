/** Whitelist matching (the shared rules, core/rules.ts): accounts, IPv4/IPv6 addresses and CIDRs, windows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockList, isIP } from 'node:net';
import { anyEntryMatches, createWhitelistMatcher, parseIpRule } from '../../src/core/rules.ts';
import type { PublicWhitelistEntry } from '../../src/modules/whitelist/schemas.ts';

describe('createWhitelistMatcher', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
  let id = 0;
  const entry = (type: 'account' | 'ip', value: string, extra: Partial<PublicWhitelistEntry> = {}): PublicWhitelistEntry => ({
    id: ++id,
    type,
    value,
    memo: null,
    enabled: true,
    startsAt: null,
    endsAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...extra,
  });

  const entries = [
    entry('ip', '10.0.0.0/8'),
    entry('ip', '192.168.1.10'),
    entry('ip', '2001:db8::/32'),
    entry('ip', '2400:cb00::1'),
    entry('ip', '::ffff:100.64.0.0/106'),
    entry('account', 'vip-1'),
    entry('account', 'disabled-account', { enabled: false }),
    entry('ip', '172.16.0.1', { enabled: false }),
    entry('account', 'expired-account', { endsAt: at(-1) }),
    entry('ip', '203.0.113.0/24', { startsAt: at(-120), endsAt: at(-60) }),
    entry('account', 'future-account', { startsAt: at(60) }),
    entry('ip', '198.51.100.7', { startsAt: at(90), endsAt: at(180) }),
    entry('account', 'windowed', { startsAt: at(-10), endsAt: at(30) }),
    entry('account', 'starts-now', { startsAt: at(0) }),
    entry('account', 'ends-now', { endsAt: at(0) }),
  ];
  const matcher = createWhitelistMatcher(entries, now);

  const cases: [string, string | undefined, string | undefined, boolean][] = [
    ['IPv4 inside an IPv4 CIDR', undefined, '10.200.3.4', true],
    ['IPv4 outside every CIDR', undefined, '11.0.0.1', false],
    ['IPv4 single address', undefined, '192.168.1.10', true],
    ['IPv4 next to a single address', undefined, '192.168.1.11', false],
    ['IPv6 inside an IPv6 CIDR', undefined, '2001:db8:ffff::1', true],
    ['IPv6 inside, uppercase spelling', undefined, '2001:DB8::ABCD', true],
    ['IPv6 outside the CIDR', undefined, '2001:db9::1', false],
    ['IPv6 single address', undefined, '2400:cb00::1', true],
    ['IPv6 single address, long spelling', undefined, '2400:cb00:0:0:0:0:0:1', true],
    ['IPv6 next to a single address', undefined, '2400:cb00::2', false],
    ['IPv4-mapped IPv6 against an IPv4 CIDR', undefined, '::ffff:10.0.0.5', true],
    ['IPv4-mapped IPv6 against an IPv4 address', undefined, '::ffff:192.168.1.10', true],
    ['IPv4-mapped IPv6, hex spelling', undefined, '::ffff:a00:5', true],
    ['IPv4-mapped IPv6 outside', undefined, '::ffff:11.0.0.1', false],
    ['IPv4 against an IPv4-mapped IPv6 CIDR', undefined, '100.64.1.2', true],
    ['account id', 'vip-1', undefined, true],
    ['account id is case-sensitive', 'VIP-1', undefined, false],
    ['account id with an unlisted IP', 'vip-1', '8.8.8.8', true],
    ['unlisted account with a listed IP', 'nobody', '10.0.0.1', true],
    ['disabled account', 'disabled-account', undefined, false],
    ['disabled IP', undefined, '172.16.0.1', false],
    ['expired account', 'expired-account', undefined, false],
    ['expired IP CIDR', undefined, '203.0.113.9', false],
    ['not-yet-started account', 'future-account', undefined, false],
    ['not-yet-started IP', undefined, '198.51.100.7', false],
    ['inside its window', 'windowed', undefined, true],
    ['startsAt equal to now is in effect', 'starts-now', undefined, true],
    ['endsAt equal to now is over', 'ends-now', undefined, false],
    ['nothing given', undefined, undefined, false],
    ['empty strings', '', '', false],
    ['garbage IP', undefined, 'not-an-ip', false],
  ];
  for (const [name, accountId, ip, expected] of cases) {
    it(`${name}: matches(${JSON.stringify(accountId)}, ${JSON.stringify(ip)}) is ${expected}`, () => {
      assert.equal(matcher.matches(accountId, ip), expected);
      assert.equal(anyEntryMatches(entries, accountId, ip, now.getTime()), expected, 'entry by entry, the same answer');
    });
  }

  it('validUntil is the earliest future startsAt or endsAt of an enabled entry', () => {
    // windowed ends at +30; future-account starts at +60; disabled and expired entries do not count.
    assert.equal(matcher.validUntil, Date.parse(at(30)));
    assert.equal(createWhitelistMatcher([entry('account', 'a', { startsAt: at(60) }), entry('account', 'b', { endsAt: at(45), enabled: false })], now).validUntil, Date.parse(at(60)));
    assert.equal(createWhitelistMatcher([entry('account', 'a'), entry('ip', '10.0.0.1', { endsAt: at(-5) })], now).validUntil, Infinity);
    assert.equal(createWhitelistMatcher([], now).validUntil, Infinity);
  });

  it('rebuilt at validUntil, the set in effect has changed', () => {
    const later = createWhitelistMatcher(entries, new Date(matcher.validUntil));
    assert.equal(later.matches('windowed', undefined), false);
    assert.equal(later.validUntil, Date.parse(at(60)));
    const afterStart = createWhitelistMatcher(entries, new Date(later.validUntil));
    assert.equal(afterStart.matches('future-account', undefined), true);
    assert.equal(afterStart.validUntil, Date.parse(at(90)));
  });

  it('ignores a malformed IP value instead of trusting it', () => {
    const bad = ['10.0.0.0/33', 'garbage', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/1a', '01.2.3.4', '2001:db8::/129', 'fe80::1%eth0', 'fe80::1%eth0/64', '1.2.3.4/'];
    const m = createWhitelistMatcher(bad.map((v) => entry('ip', v)), now);
    for (const ip of ['10.0.0.1', '1.2.3.4', '2001:db8::1', 'fe80::1']) assert.equal(m.matches(undefined, ip), false, ip);
  });
});

describe('the matcher answers as node:net BlockList over random networks and addresses', () => {
  it('2,000 random addresses (IPv4, IPv6, IPv4-mapped) against 300 random rules', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const v4 = () => [rand(4) === 0 ? 10 : rand(256), rand(4), rand(256), rand(256)].join('.');
    const v6 = () => `2001:db8:${rand(4).toString(16)}:${rand(65536).toString(16)}::${rand(65536).toString(16)}`;
    const rules = Array.from({ length: 300 }, (_, i) => {
      const kind = i % 3;
      if (kind === 0) return `${v4()}/${[8, 16, 24, 32][rand(4)]}`;
      if (kind === 1) return `${v6()}/${[32, 48, 64, 128][rand(4)]}`;
      return `::ffff:${v4()}/${[104, 112, 128][rand(3)]}`;
    });
    // Edge spellings: `::`, a trailing or leading `::`, upper case, a zone id, malformed ones.
    const edges = ['::', '::1', '1::', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8', '::ffff:a00:1', '2001:DB8::1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', ':1', '1:', '1:::2', '12345::', '::ffff:1.2.3', '::1.2.3.4', '01.2.3.4', '1.2.3.256'];
    const list = new BlockList();
    const entries = rules.map((value, id) => {
      const r = parseIpRule(value)!;
      list.addSubnet(r.address, r.prefix, r.family);
      return { id, type: 'ip' as const, value, memo: null, enabled: true, startsAt: null, endsAt: null, createdAt: '', updatedAt: '' };
    });
    const m = createWhitelistMatcher(entries, new Date());
    let hits = 0;
    for (let i = 0; i < 2000 + edges.length; i++) {
      const ip = i < edges.length ? edges[i] : [v4, v6, () => `::ffff:${v4()}`][i % 3]();
      const expected = isIP(ip) !== 0 && !ip.includes('%') && list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
      if (expected) hits++;
      assert.equal(m.matches(undefined, ip), expected, ip);
      assert.equal(anyEntryMatches(entries, undefined, ip, Date.now()), expected, `entry by entry: ${ip}`);
    }
    assert.ok(hits > 50, `enough addresses hit a rule (${hits})`);
  });
});

describe('networks of every length', () => {
  it('::/0 and 0.0.0.0/0 match every address of their family (and IPv4 through its mapped form)', () => {
    const entry = (value: string) => ({ id: 1, type: 'ip' as const, value, memo: null, enabled: true, startsAt: null, endsAt: null, createdAt: '', updatedAt: '' });
    const all6 = createWhitelistMatcher([entry('::/0')], new Date());
    assert.equal(all6.matches(undefined, '2001:db8::1'), true);
    assert.equal(all6.matches(undefined, '10.0.0.1'), true, 'an IPv4 client as ::ffff:10.0.0.1');
    const all4 = createWhitelistMatcher([entry('0.0.0.0/0')], new Date());
    assert.equal(all4.matches(undefined, '10.0.0.1'), true);
    assert.equal(all4.matches(undefined, '2001:db8::1'), false);
    const now = Date.now();
    assert.equal(anyEntryMatches([entry('::/0')], undefined, '10.0.0.1', now), true);
    assert.equal(anyEntryMatches([entry('0.0.0.0/0')], undefined, '2001:db8::1', now), false);
    assert.equal(anyEntryMatches([entry('0.0.0.0/0')], undefined, '::ffff:10.0.0.1', now), true);
  });
});
