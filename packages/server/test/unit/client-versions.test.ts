/**
 * Client-version rules: numeric version comparison (modules/client-versions/version.ts) and the game-client
 * answer (the shared rules, core/rules.ts), row by row as docs/client-api.md states it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientVersionStatus, PublicClientVersion } from '../../src/modules/client-versions/schemas.ts';
import { CLIENT_VERSION_STATUSES } from '../../src/modules/client-versions/schemas.ts';
import { compareVersions, resolveClientVersion } from '../../src/core/rules.ts';
import type { PublicGlobalMaintenance } from '../../src/modules/maintenance/schemas.ts';

describe('compareVersions', () => {
  const cases: [string, string, number][] = [
    ['1.9', '1.10', -1],
    ['1.10.0', '1.9.9', 1],
    ['1.2', '1.2.0', 0],
    ['1.0041', '1.41', 0],
    ['2', '10', -1],
    ['0.0.1', '0.0.0.1', 1],
    ['99999999999999999999.1', '99999999999999999999.2', -1],
    ['1.0.0', '1.0.0', 0],
  ];
  for (const [a, b, sign] of cases) {
    it(`${a} vs ${b} → ${sign}`, () => {
      assert.equal(Math.sign(compareVersions(a, b)), sign);
      assert.equal(Math.sign(compareVersions(b, a)), -sign || 0);
    });
  }
});

describe('compareVersions (game-client API)', () => {
  it('compares versions numerically per dot segment', () => {
    const cases: [string, string, number][] = [
      ['1.0041', '1.41', 0],
      ['1.0040', '1.0041', -1],
      ['1.10', '1.9', 1],
      ['1.2', '1.2.0', 0],
      ['2', '10', -1],
      ['1.2.3', '1.2.10', -1],
      ['99999999999999999999.1', '99999999999999999999.0', 1],
    ];
    for (const [a, b, want] of cases) {
      assert.equal(Math.sign(compareVersions(a, b)), want, `${a} vs ${b}`);
      assert.equal(Math.sign(compareVersions(b, a)), 0 - want, `${b} vs ${a}`);
    }
  });
});

describe('resolveClientVersion: the table of docs/client-api.md', () => {
  const AT = '2026-01-01T00:00:00.000Z';
  const version = (status: ClientVersionStatus): PublicClientVersion => ({
    id: 1,
    channel: 'PC',
    subChannel: 'Steam',
    version: '2.0',
    status,
    gameServerAddress: 'game.example.com:7000',
    gameServerAddressForWhitelist: 'qa-game.example.com:7000',
    patchAddress: 'https://cdn.example.com/patch',
    patchAddressForWhitelist: null,
    minPatchVersion: '1.0041',
    guestModeAllowed: false,
    externalClickLink: null,
    customPayload: null,
    maintenanceMessage: 'Version maintenance',
    maintenanceMessages: { ko: '버전 점검' },
    memo: null,
    createdAt: AT,
    updatedAt: AT,
  });
  const global = (active: boolean): PublicGlobalMaintenance =>
    ({ enabled: active, active, message: 'Global maintenance', messages: {}, startsAt: null, endsAt: '2026-01-01T02:00:00.000Z', updatedAt: AT });
  const answer = (status: ClientVersionStatus, globalOn: boolean, patchOk: boolean, whitelisted: boolean) =>
    resolveClientVersion(version(status), global(globalOn), { patchVersion: patchOk ? '1.41' : '1.0040', whitelisted });

  const OTHERS: ClientVersionStatus[] = ['MAINTENANCE', 'OFFLINE', 'UNDER_REVIEW', 'BLOCKED_PATCH_ALLOWED'];
  const rows: [string, ClientVersionStatus[], boolean[], boolean[], boolean[], ClientVersionStatus | 'same'][] = [
    // version status, global maintenance, patch ok, whitelisted → answer
    ['ONLINE, patch ok', ['ONLINE'], [false], [true], [false, true], 'ONLINE'],
    ['ONLINE / RECOMMENDED_UPDATE, old patch', ['ONLINE', 'RECOMMENDED_UPDATE'], [false], [false], [false, true], 'FORCED_UPDATE'],
    ['any status under global maintenance, not whitelisted', [...CLIENT_VERSION_STATUSES], [true], [false, true], [false], 'MAINTENANCE'],
    ['any status under global maintenance, whitelisted, any patch', [...CLIENT_VERSION_STATUSES], [true], [false, true], [true], 'ONLINE'],
    ['a closed status, not whitelisted', OTHERS, [false], [false, true], [false], 'same'],
    ['a closed status, whitelisted, any patch', OTHERS, [false], [false, true], [true], 'ONLINE'],
    ['RECOMMENDED_UPDATE, patch ok', ['RECOMMENDED_UPDATE'], [false], [true], [false, true], 'RECOMMENDED_UPDATE'],
    ['FORCED_UPDATE without global maintenance', ['FORCED_UPDATE'], [false], [false, true], [false, true], 'FORCED_UPDATE'],
  ];
  for (const [name, statuses, globals, patches, whitelists, want] of rows) {
    it(name, () => {
      for (const s of statuses) for (const g of globals) for (const p of patches) for (const w of whitelists) {
        const a = answer(s, g, p, w);
        assert.equal(a.status, want === 'same' ? s : want, `${s} global=${g} patchOk=${p} whitelisted=${w}`);
        assert.equal(a.gameServerAddress, w ? 'qa-game.example.com:7000' : 'game.example.com:7000');
      }
    });
  }

  it('MAINTENANCE carries the global message under global maintenance, else the version\'s; other answers none', () => {
    assert.equal(answer('ONLINE', true, true, false).message, 'Global maintenance');
    assert.equal(answer('ONLINE', true, true, false).maintenanceEndsAt, '2026-01-01T02:00:00.000Z');
    assert.equal(answer('MAINTENANCE', false, true, false).message, 'Version maintenance');
    assert.equal(answer('ONLINE', true, true, true).message, null);
    assert.equal(answer('ONLINE', true, true, true).maintenanceEndsAt, null);
    assert.equal(answer('ONLINE', false, false, false).message, null);
  });
});
