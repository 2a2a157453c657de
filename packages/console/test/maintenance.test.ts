// The maintenance screens' rules: message resolution (as the game-client API does it), missing languages, window
// phases, whitelist entries that still get in, reordering, and the date-time picker's zone conversion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromPickerValue, languagesInUse, missingLanguages, moveBy, moveTo, passingEntries, pickLanguage, resolveMessage, toPickerValue, windowPhase } from '../src/screens/maintenance/logic.ts';

describe('resolveMessage', () => {
  const messages = { ko: '점검 중', en: 'Down for maintenance', 'zh-Hant': '維護中' };
  it('takes the exact tag, then the base language, then a tag of the same base language', () => {
    assert.equal(pickLanguage(messages, 'EN'), 'en');
    assert.equal(pickLanguage(messages, 'ko-KR'), 'ko');
    assert.equal(pickLanguage(messages, 'zh'), 'zh-Hant');
    assert.equal(pickLanguage(messages, 'zh-TW'), 'zh-Hant');
    assert.equal(pickLanguage(messages, 'ja'), undefined);
    assert.equal(pickLanguage(messages, undefined), undefined);
  });
  it('falls back to the default message, then to any message, and says which', () => {
    assert.deepEqual(resolveMessage('Default', messages, 'ko-KR'), { text: '점검 중', source: 'language', key: 'ko' });
    assert.deepEqual(resolveMessage('Default', messages, 'ja'), { text: 'Default', source: 'default' });
    assert.deepEqual(resolveMessage(null, { ko: '점검 중' }, 'ja'), { text: '점검 중', source: 'any', key: 'ko' });
    assert.deepEqual(resolveMessage(null, {}, 'ja'), { text: null, source: 'none' });
  });
});

describe('languages', () => {
  it('lists ko and en first, then every other language in use once', () => {
    assert.deepEqual(languagesInUse([{ ja: 'x', en: 'y' }, { JA: 'z', 'pt-BR': 'w' }]), ['ko', 'en', 'ja', 'pt-BR']);
  });
  it('marks the languages without a message of their own', () => {
    assert.deepEqual(missingLanguages({ 'ko-KR': '점검', en: 'x' }, ['ko', 'en', 'ja']), ['ja']);
  });
});

describe('windowPhase', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  it('is active while in effect, scheduled before its start, off otherwise', () => {
    assert.equal(windowPhase({ active: true, startsAt: null, endsAt: null }, now), 'active');
    assert.equal(windowPhase({ active: false, startsAt: '2026-12-01T11:00:00Z', endsAt: null }, now), 'scheduled');
    assert.equal(windowPhase({ active: false, startsAt: '2026-12-01T09:00:00Z', endsAt: '2026-12-01T09:30:00Z' }, now), 'off');
    assert.equal(windowPhase({ enabled: false, active: false, startsAt: '2026-12-01T11:00:00Z', endsAt: null }, now), 'off');
  });
});

describe('passingEntries', () => {
  it('keeps enabled entries whose own window holds the instant', () => {
    const at = Date.parse('2026-12-01T10:00:00Z');
    const entries = [
      { id: 1, enabled: true, startsAt: null, endsAt: null },
      { id: 2, enabled: false, startsAt: null, endsAt: null },
      { id: 3, enabled: true, startsAt: '2026-12-01T11:00:00Z', endsAt: null },
      { id: 4, enabled: true, startsAt: null, endsAt: '2026-12-01T10:00:00Z' },
      { id: 5, enabled: true, startsAt: '2026-12-01T09:00:00Z', endsAt: '2026-12-01T12:00:00Z' },
    ];
    assert.deepEqual(passingEntries(entries, at).map((e) => e.id), [1, 5]);
  });
});

describe('reordering', () => {
  it('moves by a step, clamped at the ends', () => {
    assert.deepEqual(moveBy([1, 2, 3], 3, -1), [1, 3, 2]);
    assert.deepEqual(moveBy([1, 2, 3], 1, 1), [2, 1, 3]);
    const same = [1, 2, 3];
    assert.equal(moveBy(same, 1, -1), same);
    assert.equal(moveBy(same, 9, 1), same);
  });
  it('moves an item to another place', () => {
    assert.deepEqual(moveTo(['a', 'b', 'c', 'd'], 0, 2), ['b', 'c', 'a', 'd']);
    assert.deepEqual(moveTo(['a', 'b', 'c', 'd'], 3, 0), ['d', 'a', 'b', 'c']);
  });
});

describe('picker values', () => {
  it('round-trips an instant through the wall clock in UTC', () => {
    assert.equal(toPickerValue('2026-12-01T10:05:09.000Z', 'utc'), '2026-12-01 10:05:09');
    assert.equal(fromPickerValue('2026-12-01 10:05:09', 'utc'), '2026-12-01T10:05:09.000Z');
    assert.equal(fromPickerValue('2026-12-01 10:05', 'utc'), '2026-12-01T10:05:00.000Z');
  });
  it('reads local wall clocks in the local zone', () => {
    const iso = '2026-06-15T23:30:00.000Z';
    assert.equal(fromPickerValue(toPickerValue(iso, 'local'), 'local'), iso);
  });
  it('is null for nothing or garbage', () => {
    assert.equal(toPickerValue(null, 'utc'), null);
    assert.equal(fromPickerValue('tomorrow', 'utc'), null);
    assert.equal(fromPickerValue('', 'local'), null);
  });
});
