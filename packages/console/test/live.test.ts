// Every live event the server emits over Socket.IO makes some cached API data stale in the console: a new event
// type without an entry in src/lib/live.ts INVALIDATES would leave screens showing old data until reload.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../server/src/app/events.ts';
import { SOCKET_EVENTS } from '../../server/src/events/catalog.ts';
import { pathsInvalidatedBy } from '../src/lib/live.ts';

describe('live events', () => {
  it('every Socket.IO event of the server invalidates at least one API path', () => {
    const names = [...SOCKET_EVENTS.keys()];
    assert.ok(names.length >= 10, `the catalog has the events (${names.join(', ')})`);
    const uncovered = names.filter((n) => pathsInvalidatedBy(n).length === 0);
    assert.deepEqual(uncovered, [], 'add these to INVALIDATES in src/lib/live.ts');
  });

  it('maps events to the list paths of their resource', () => {
    assert.deepEqual(pathsInvalidatedBy('user_registered'), ['/api/v1/users']);
    assert.ok(pathsInvalidatedBy('maintenance_started').includes('/api/v1/game-worlds'));
    assert.deepEqual(pathsInvalidatedBy('client_version_updated'), ['/api/v1/client-versions']);
    assert.deepEqual(pathsInvalidatedBy('server_shutdown'), []);
  });
});
