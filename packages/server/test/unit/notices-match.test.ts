/** Which notices a game client gets (the shared rules, core/rules.ts): targeting, window, order, language. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareNotices, localizeNotice, matchNotices, noticesValidUntil, noticeTargets } from '../../src/core/rules.ts';
import type { PublicNotice } from '../../src/modules/notices/schemas.ts';

const T = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(T + ms).toISOString();
let nextId = 1;
const notice = (over: Partial<PublicNotice> = {}): PublicNotice => ({
  id: nextId++,
  category: 'notice',
  priority: 0,
  title: 'Default',
  body: 'Body',
  translations: {},
  enabled: true,
  startsAt: null,
  endsAt: null,
  channels: [],
  subChannels: [],
  worldIds: [],
  minVersion: null,
  maxVersion: null,
  createdAt: iso(0),
  updatedAt: iso(0),
  ...over,
});

describe('notice matching', () => {
  it('targets: an empty list is everyone; a named one needs the client to give it', () => {
    const n = notice({ channels: ['steam', 'ios'], worldIds: ['w1'] });
    assert.equal(noticeTargets(n, { channel: 'steam', worldId: 'w1' }), true);
    assert.equal(noticeTargets(n, { channel: 'ios', worldId: 'w1', subChannel: 'any' }), true);
    assert.equal(noticeTargets(n, { channel: 'Steam', worldId: 'w1' }), false, 'exact, as stored');
    assert.equal(noticeTargets(n, { worldId: 'w1' }), false);
    assert.equal(noticeTargets(n, { channel: 'steam' }), false);
    assert.equal(noticeTargets(notice(), {}), true);
  });

  it('version range: inclusive at both ends, compared per segment; a client without a version gets only notices without a range', () => {
    const n = notice({ minVersion: '1.2', maxVersion: '1.10' });
    for (const [v, yes] of [['1.1.9', false], ['1.2', true], ['1.2.0', true], ['1.9', true], ['1.10', true], ['1.10.1', false], ['2', false]] as const) {
      assert.equal(noticeTargets(n, { version: v }), yes, v);
    }
    assert.equal(noticeTargets(n, {}), false);
    assert.equal(noticeTargets(notice({ minVersion: '3' }), { version: '10.0' }), true);
    assert.equal(noticeTargets(notice({ maxVersion: '3' }), { version: '3.0.0.1' }), false);
  });

  it('window and enabled: startsAt inclusive, endsAt exclusive; the next change is the earliest future bound', () => {
    const list = [
      notice({ title: 'open' }),
      notice({ title: 'off', enabled: false, startsAt: iso(1) }),
      notice({ title: 'later', startsAt: iso(10), endsAt: iso(20) }),
      notice({ title: 'ending', endsAt: iso(5) }),
      notice({ title: 'ended', endsAt: iso(0) }),
    ];
    assert.deepEqual(matchNotices(list, {}, T).map((n) => n.title).sort(), ['ending', 'open']);
    assert.deepEqual(matchNotices(list, {}, T + 10).map((n) => n.title).sort(), ['later', 'open']);
    assert.equal(noticesValidUntil(list, T), T + 5);
    assert.equal(noticesValidUntil(list, T + 5), T + 10);
    assert.equal(noticesValidUntil(list, T + 20), Infinity);
  });

  it('order: priority first, then the later start (none is the earliest), then the newer id', () => {
    const a = notice({ title: 'a', priority: 1 });
    const b = notice({ title: 'b', priority: 1, startsAt: iso(-10) });
    const c = notice({ title: 'c', priority: 5, startsAt: iso(-100) });
    const d = notice({ title: 'd', priority: 1, startsAt: iso(-10) });
    assert.deepEqual([a, b, c, d].sort(compareNotices).map((n) => n.title), ['c', 'd', 'b', 'a']);
  });

  it('language: exact tag, then the language, else the default text; the language served is named', () => {
    const n = notice({ translations: { ko: { title: '제목', body: '본문' }, 'pt-BR': { title: 'Título', body: 'Corpo' } } });
    assert.deepEqual([localizeNotice(n, 'ko-KR').lang, localizeNotice(n, 'ko-KR').title, localizeNotice(n, 'ko-KR').body], ['ko', '제목', '본문']);
    assert.equal(localizeNotice(n, 'pt').lang, 'pt-BR');
    assert.deepEqual([localizeNotice(n, 'fr').lang, localizeNotice(n, 'fr').title], [null, 'Default']);
    assert.equal(localizeNotice(n, undefined).lang, null);
  });
});
