/**
 * The live stream's audience rule (src/modules/realtime/audience.ts), without a server: the rooms an event is
 * sent to and the check applied to packets replayed after a reconnection must agree for every caller and event,
 * and no caller may hear an event whose data its REST permissions cannot read, beyond the two stated additions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../src/app/events.ts';
import { EVENT_NAMES } from '../src/events/catalog.ts';
import { EVENT_AUDIENCE, mayHear, roomsOf, targetsOf } from '../src/modules/realtime/audience.ts';
import type { ApiKeyType, Principal, Role } from '../src/core/permissions.ts';
import { ALL_GRANTS, EXPECTED, type Grant } from './permission-matrix.ts';

const principal = (grant: Grant, userId = 7): Principal =>
  grant.startsWith('key:') ? { kind: 'apiKey', keyId: 3, name: 'k', keyType: grant.slice(4) as ApiKeyType } : { kind: 'user', userId, username: 'u', role: grant as Role };

describe('live event audience', () => {
  it('the rooms an event goes to and mayHear() agree, for every caller, event and user', () => {
    for (const grant of ALL_GRANTS) {
      for (const event of EVENT_NAMES) {
        for (const data of [{ userId: 7 }, { userId: 8 }, {}]) {
          const p = principal(grant);
          const rooms = new Set(roomsOf(p));
          const routed = targetsOf(event, data).some((r) => rooms.has(r));
          assert.equal(routed, mayHear(p, event, data), `${grant} ${event} ${JSON.stringify(data)}`);
        }
      }
    }
  });

  it("a caller hears an event only with the permission its audience names, or as the event's own user, or as a player", () => {
    for (const grant of ALL_GRANTS) {
      for (const event of EVENT_NAMES) {
        const heard = mayHear(principal(grant), event, { userId: 999 });
        const byPermission = EVENT_AUDIENCE[event].some((l) => l !== 'self' && l !== 'players' && (EXPECTED[l] as readonly Grant[]).includes(grant));
        const asPlayer = grant === 'player' && EVENT_AUDIENCE[event].includes('players');
        assert.equal(heard, byPermission || asPlayer, `${grant} ${event}`);
      }
    }
    assert.ok(!mayHear(principal('key:server'), 'user.login', { userId: 1 }), 'a server key hears no logins (emails, IPs)');
    assert.ok(mayHear(principal('player', 5), 'user.updated', { userId: 5 }), 'a player hears about its own account');
  });
});
