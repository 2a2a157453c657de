// The console checks a few things in the browser for instant feedback — version order, the language a maintenance
// message is shown in, IP/CIDR normalisation — with small copies of the server's rules (the server's modules use
// Node and the database, so the page cannot import them). Each copy must answer exactly as the server does: this
// runs the same inputs through both.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../server/src/app/events.ts';
import { EVENT_CATALOG, EVENT_NAMES } from '../../server/src/events/catalog.ts';
import { compareVersions as serverCompare, localizeNotice, normalizeIpValue, noticeShownAt, noticeTargets, parseIpRule as serverParse, pickLanguage as serverPick } from '../../server/src/core/rules.ts';
import type { PublicNotice } from '../../server/src/modules/notices/schemas.ts';
import { compareVersions } from '../src/screens/client-versions/version.ts';
import { socketNameOf } from '../src/screens/events/history.ts';
import { pickLanguage } from '../src/screens/maintenance/logic.ts';
import { normalizeIp, parseIpRule } from '../src/screens/whitelist/lines.ts';
import { localize, missFor } from '../src/screens/notices/logic.ts';

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('the console answers as the server does', () => {
  it('version order', () => {
    const r = random(7);
    const segment = () => ['0', '00', '1', '9', '10', '011', '99', '100', '4294967296'][Math.floor(r() * 9)];
    const version = () => Array.from({ length: 1 + Math.floor(r() * 4) }, segment).join('.');
    for (let i = 0; i < 5000; i++) {
      const [a, b] = [version(), version()];
      assert.equal(Math.sign(compareVersions(a, b)), Math.sign(serverCompare(a, b)), `${a} vs ${b}`);
    }
  });

  it('the language a maintenance message is shown in', () => {
    const sets: Record<string, string>[] = [{}, { ko: 'a' }, { en: 'a', ko: 'b' }, { 'zh-Hant': 'a', zh: 'b' }, { 'zh-Hant': 'a', 'pt-BR': 'b', en: 'c' }, { EN: 'a', 'ko-KR': 'b' }];
    const asked = [undefined, '', 'en', 'EN', 'en-US', 'ko', 'ko-KR', 'zh', 'zh-Hans', 'zh-Hant', 'pt', 'pt-PT', 'fr', 'x'];
    for (const messages of sets) for (const lang of asked) assert.equal(pickLanguage(messages, lang), serverPick(messages, lang), `${JSON.stringify(messages)} in ${lang}`);
  });

  it('which notices a game client gets, and in which language', () => {
    const r = random(11);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    const when = () => pick([null, new Date(now - 60_000).toISOString(), new Date(now).toISOString(), new Date(now + 60_000).toISOString()]);
    const some = (values: string[]) => values.filter(() => r() < 0.3);
    for (let i = 0; i < 3000; i++) {
      const n: PublicNotice = {
        id: i,
        category: 'notice',
        priority: 0,
        title: 'T',
        body: 'B',
        translations: Object.fromEntries(some(['ko', 'en-US', 'zh-Hant', 'pt']).map((l) => [l, { title: `T ${l}`, body: `B ${l}` }])),
        enabled: r() < 0.8,
        startsAt: when(),
        endsAt: when(),
        channels: some(['steam', 'ios']),
        subChannels: some(['pc', 'phone']),
        worldIds: some(['w1', 'w2']),
        minVersion: pick([null, '1.2', '1.10']),
        maxVersion: pick([null, '1.9', '2']),
        createdAt: '',
        updatedAt: '',
      };
      const q = { channel: pick([undefined, 'steam', 'ios', 'x']), subChannel: pick([undefined, 'pc', 'phone']), worldId: pick([undefined, 'w1', 'w2']), version: pick([undefined, '1.2.0', '1.9', '1.10', '2.0.1']) };
      const lang = pick([undefined, 'ko-KR', 'en', 'zh', 'pt-BR', 'fr']);
      const label = `${JSON.stringify(n)} for ${JSON.stringify(q)}`;
      assert.equal(missFor(n, q, now) === null, noticeShownAt(n, now) && noticeTargets(n, q), label);
      const server = localizeNotice(n, lang);
      assert.deepEqual(localize(n, lang), { lang: server.lang, title: server.title, body: server.body }, `${label} in ${lang}`);
    }
  });

  it('IP and CIDR values: which are valid, and their canonical spelling', () => {
    const inputs = [
      '10.0.0.1', '10.0.0.1/32', '10.1.2.3/8', '010.0.0.1', '256.0.0.1', '1.2.3', '1.2.3.4/33', '1.2.3.4/0', '0.0.0.0/0', '1.2.3.4/08',
      '::1', '::', '::/0', '2001:DB8::1', '2001:db8:0:0:0:0:0:1', '2001:db8::/32', '2001:db8::1/64', '2001:db8::1/129', ':::1', '1::2::3',
      '::ffff:1.2.3.4', '::ffff:1.2.3.4/120', 'fe80::1%eth0', '2001:db8:0:0:1:0:0:1', '2001:0:0:1:0:0:0:1', 'abcd', '', ' 10.0.0.1', '10.0.0.1 ',
    ];
    for (const text of inputs) {
      assert.equal(parseIpRule(text) === undefined, serverParse(text) === undefined, `valid? ${JSON.stringify(text)}`);
      assert.equal(normalizeIp(text), normalizeIpValue(text.trim()), `canonical ${JSON.stringify(text)}`);
    }
  });

  it("the Socket.IO name of each event of the feed (the live tail's history)", () => {
    for (const name of EVENT_NAMES) assert.equal(socketNameOf(name), EVENT_CATALOG[name].socketEvent ?? undefined, name);
  });
});
