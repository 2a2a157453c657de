// The whitelist paste box's line checks: IPv4/IPv6/CIDR parsing and normalisation, duplicates and overlaps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLines, ipContains, normalizeIp, parseIpRule, replaceLine, serverNote } from '../src/screens/whitelist/lines.ts';

describe('normalizeIp', () => {
  it('IPv4 addresses and CIDRs: host bits cleared, a /32 is the address', () => {
    assert.equal(normalizeIp('10.0.0.5'), '10.0.0.5');
    assert.equal(normalizeIp('10.1.2.3/8'), '10.0.0.0/8');
    assert.equal(normalizeIp('192.168.7.9/21'), '192.168.0.0/21');
    assert.equal(normalizeIp('10.0.0.1/32'), '10.0.0.1');
    assert.equal(normalizeIp('0.0.0.0/0'), '0.0.0.0/0');
  });
  it('refuses malformed IPv4', () => {
    for (const bad of ['10.0.0.256', '10.0.0', '10.0.0.1/33', '10.0.0.01', '10.0.0.1/', '10.0.0.1/-1', '1.2.3.4.5']) assert.equal(normalizeIp(bad), undefined, bad);
  });
  it('IPv6: lowercase, compressed (RFC 5952), prefixes, embedded IPv4', () => {
    assert.equal(normalizeIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(normalizeIp('2001:db8::1/128'), '2001:db8::1');
    assert.equal(normalizeIp('2001:db8:abcd:12::1/48'), '2001:db8:abcd::/48');
    assert.equal(normalizeIp('::'), '::');
    assert.equal(normalizeIp('::ffff:10.0.0.1'), '::ffff:10.0.0.1');
    assert.equal(normalizeIp('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1');
    assert.equal(normalizeIp('1:0:2:3:4:5:6:7'), '1:0:2:3:4:5:6:7');
  });
  it('refuses malformed IPv6', () => {
    for (const bad of ['2001:db8::1::2', '2001:db8:::1', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', '2001:db8::/129', 'g::1', '1:2:3:4:5:6:7']) assert.equal(normalizeIp(bad), undefined, bad);
  });
});

describe('ipContains', () => {
  const r = (s: string) => parseIpRule(s)!;
  it('a network holds its addresses and subnets, not the other way round, never across families', () => {
    assert.equal(ipContains(r('10.0.0.0/24'), r('10.0.0.5')), true);
    assert.equal(ipContains(r('10.0.0.0/24'), r('10.0.1.5')), false);
    assert.equal(ipContains(r('10.0.0.5'), r('10.0.0.0/24')), false);
    assert.equal(ipContains(r('10.0.0.0/8'), r('10.200.0.0/16')), true);
    assert.equal(ipContains(r('2001:db8::/32'), r('2001:db8:1::7')), true);
    assert.equal(ipContains(r('2001:db8::/32'), r('2001:db9::7')), false);
    assert.equal(ipContains(r('0.0.0.0/0'), r('::1')), false);
  });
});

describe('checkLines', () => {
  it('types, descriptions, normalisation and errors per line number; blank and comment lines are skipped', () => {
    const text = 'player-42, tester\n\n# a comment\n10.1.2.3/24 # office\naccount:10.0.0.1\n300.1.1.1\nhas space\n2001:DB8::1';
    const lines = checkLines(text, []);
    assert.deepEqual(
      lines.map((l) => [l.line, l.type, l.value ?? null, l.memo ?? null, l.error?.key ?? null]),
      [
        [1, 'account', 'player-42', 'tester', null],
        [4, 'ip', '10.1.2.0/24', 'office', null],
        [5, 'account', '10.0.0.1', null, null],
        [6, 'ip', null, null, 'invalidIp'],
        [7, 'account', null, null, 'invalidAccount'],
        [8, 'ip', '2001:db8::1', null, null],
      ],
    );
    assert.deepEqual(lines[1].warnings, [{ key: 'normalized', values: { from: '10.1.2.3/24' } }]);
  });
  it('duplicates within the paste and of existing entries are skipped; overlaps are warned both ways', () => {
    const existing = [
      { id: 7, type: 'ip', value: '10.0.0.0/24' },
      { id: 8, type: 'account', value: 'known' },
    ];
    const lines = checkLines('10.0.0.5\nknown\nfresh\nfresh\n192.168.0.0/16\n192.168.4.4\n10.0.0.0/8', existing);
    const notes = lines.map((l) => [l.skip, l.warnings.map((w) => `${w.key}:${JSON.stringify(w.values)}`)]);
    assert.deepEqual(notes, [
      [false, ['overlapsEntry:{"id":7,"value":"10.0.0.0/24"}']],
      [true, ['exists:{"id":8}']],
      [false, []],
      [true, ['duplicateLine:{"line":3}']],
      [false, []],
      [false, ['overlapsLine:{"line":5,"value":"192.168.0.0/16"}']],
      [false, ['overlapsEntry:{"id":7,"value":"10.0.0.0/24"}']],
    ]);
  });
  it('a too long description is an error', () => {
    assert.equal(checkLines(`x # ${'d'.repeat(501)}`, [])[0].error?.key, 'memoTooLong');
  });
});

describe('replaceLine', () => {
  it('replaces one line in place, keeping the others', () => {
    assert.equal(replaceLine('a\nb\r\nc', 2, 'B'), 'a\nB\nc');
    assert.equal(replaceLine('a', 5, 'x'), 'a');
  });
});

describe('serverNote', () => {
  it("maps the server's import warnings and errors to the same notes, unknown text to undefined", () => {
    assert.deepEqual(serverNote('overlaps entry #12 (CIDR)'), { key: 'overlapsEntry', values: { id: 12 } });
    assert.deepEqual(serverNote('overlaps line 3 (CIDR)'), { key: 'overlapsLine', values: { line: 3 } });
    assert.deepEqual(serverNote('duplicate of line 2'), { key: 'duplicateLine', values: { line: 2 } });
    assert.deepEqual(serverNote('already exists as entry #4'), { key: 'exists', values: { id: 4 } });
    assert.deepEqual(serverNote('normalized from 10.0.0.7/24'), { key: 'normalized', values: { from: '10.0.0.7/24' } });
    assert.equal(serverNote('must be an IPv4 or IPv6 address, or a CIDR such as 10.0.0.0/8 or 2001:db8::/32')?.key, 'invalidIp');
    assert.equal(serverNote('something new'), undefined);
  });
});
