/** Maintenance windows (modules/maintenance/window.ts): the columns a request sets, and localized messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import type { MaintenanceColumns } from '../../src/db/schema.ts';
import { localized, maintenanceAt, pickLanguage } from '../../src/core/rules.ts';
import { maintenanceColumns, windowPayload } from '../../src/modules/maintenance/window.ts';

const now = new Date('2026-01-01T00:00:00.000Z');
const off: MaintenanceColumns = {
  maintenance: 0,
  maintenance_enabled: 0,
  maintenance_message: null,
  maintenance_messages: '{}',
  maintenance_starts_at: null,
  maintenance_ends_at: null,
};

describe('maintenance windows', () => {
  it('maintenanceAt: where a window stands at a moment, and when that next changes', () => {
    const t = now.getTime();
    const iso = (ms: number) => new Date(t + ms).toISOString();
    assert.deepEqual(maintenanceAt(false, iso(-1), null, t), { active: false, upcoming: false, changesAt: Infinity }, 'not asked for');
    assert.deepEqual(maintenanceAt(true, null, null, t), { active: true, upcoming: false, changesAt: Infinity });
    assert.deepEqual(maintenanceAt(true, iso(1), iso(5), t), { active: false, upcoming: true, changesAt: t + 1 });
    assert.deepEqual(maintenanceAt(true, iso(0), iso(5), t), { active: true, upcoming: false, changesAt: t + 5 }, 'startsAt inclusive');
    assert.deepEqual(maintenanceAt(true, iso(-5), iso(0), t), { active: false, upcoming: false, changesAt: Infinity }, 'endsAt exclusive');
  });

  it('localized messages: exact tag, then language, then the default', () => {
    const messages = { ko: '점검', 'en-US': 'Maintenance', 'zh-Hant': '維護' };
    assert.equal(localized('default', messages, 'ko'), '점검');
    assert.equal(localized('default', messages, 'ko-KR'), '점검');
    assert.equal(localized('default', messages, 'EN-us'), 'Maintenance');
    assert.equal(localized('default', messages, 'en'), 'Maintenance');
    assert.equal(localized('default', messages, 'zh-Hant-TW'), '維護');
    assert.equal(localized('default', messages, 'fr'), 'default');
    assert.equal(localized(null, { ja: 'メンテ' }, 'fr'), 'メンテ');
    assert.equal(localized(null, {}, undefined), null);
  });

  it('the language key: exact tag, then its language, then a tag of that language; none without lang', () => {
    const messages = { ko: '점검', 'en-US': 'Maintenance' };
    assert.equal(pickLanguage(messages, 'KO'), 'ko');
    assert.equal(pickLanguage(messages, 'en-GB'), 'en-US');
    assert.equal(pickLanguage(messages, 'fr'), undefined);
    assert.equal(pickLanguage(messages, undefined), undefined);
  });

  it('enabling keeps the current message when none is sent, and stores the window', () => {
    const current = { ...off, maintenance_message: 'kept' };
    const c = maintenanceColumns({ enabled: true, startsAt: '2026-01-01T01:00:00.000Z', endsAt: '2026-01-01T02:00:00.000Z' }, current, now);
    assert.equal(c.maintenance_enabled, 1);
    assert.equal(c.maintenance, 0, 'maintenance itself starts at the window start, by the scheduler');
    assert.equal(c.maintenance_message, 'kept');
    assert.deepEqual(windowPayload(c), { message: 'kept', messages: {}, startsAt: '2026-01-01T01:00:00.000Z', endsAt: '2026-01-01T02:00:00.000Z' });
  });

  it('disabling clears the window and keeps the messages', () => {
    const on = { ...off, maintenance: 1, maintenance_enabled: 1, maintenance_message: 'm', maintenance_starts_at: now.toISOString() };
    const c = maintenanceColumns({ enabled: false }, on, now);
    assert.equal(c.maintenance_enabled, 0);
    assert.equal(c.maintenance_starts_at, null);
    assert.equal(c.maintenance_ends_at, null);
    assert.equal(c.maintenance_message, 'm');
  });

  it('refuses enabling without any message, or with an end that is not in the future', () => {
    assert.throws(() => maintenanceColumns({ enabled: true }, off, now), (e: unknown) => e instanceof ValidationError);
    assert.throws(() => maintenanceColumns({ enabled: true, message: 'm', endsAt: now.toISOString() }, off, now), (e: unknown) => e instanceof ValidationError);
    assert.doesNotThrow(() => maintenanceColumns({ enabled: true, messages: { en: 'm' } }, off, now));
  });
});
