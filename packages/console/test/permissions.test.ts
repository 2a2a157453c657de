// The console's copy of the permission table is the server's (packages/server/src/core/permissions.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as server from '../../server/src/core/permissions.ts';
import { PERMISSIONS, ROLES, roleCan, type Permission } from '../src/lib/permissions.ts';

describe('permissions', () => {
  it('has the same roles and permission table as the server', () => {
    assert.deepEqual([...ROLES], [...server.ROLES]);
    assert.deepEqual(JSON.parse(JSON.stringify(PERMISSIONS)), JSON.parse(JSON.stringify(server.PERMISSIONS)));
  });

  it('roleCan answers like the server for every role and permission', () => {
    for (const permission of Object.keys(server.PERMISSIONS) as Permission[]) {
      for (const role of server.ROLES) {
        const principal = { kind: 'user' as const, userId: 1, username: 'u', role };
        assert.equal(roleCan(role, permission), server.allows(permission, principal), `${role} ${permission}`);
      }
    }
    assert.equal(roleCan(undefined, 'users.read'), false);
    assert.equal(roleCan(undefined, 'public'), true);
  });
});
