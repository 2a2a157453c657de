/**
 * The permission matrix, written out by hand: test/permissions.test.ts holds every REST route to it, and
 * test/realtime.test.ts holds the live stream to it (an event is heard by the callers that may read its data).
 */
import { API_KEY_TYPES, ROLES, type Permission, type PERMISSIONS } from '../src/core/permissions.ts';

export type Grant = (typeof PERMISSIONS)[Permission][number];

export const ALL_GRANTS = [...ROLES, ...API_KEY_TYPES.map((t) => `key:${t}` as const)];

/**
 * Users and API keys: admin writes; admin, operator, viewer read. Worlds, maintenance, whitelist, client versions
 * (ops.*): admin and operator write; every staff role and server keys read. World instances register themselves
 * with server keys (instances.write: server and admin keys, admins). Webhooks: admin writes, admin and
 * operator read. Audit log and monitoring: staff. Players reach only /auth/* (`self`) and their own profile
 * (`users.readSelf`). An admin key acts with admin rights; a server key reads game operations; a client key only
 * reaches /api/v1/client/* (`client.read`).
 */
export const EXPECTED: Record<Permission, readonly Grant[]> = {
  public: [],
  self: ['admin', 'operator', 'viewer', 'player'],
  'users.read': ['admin', 'operator', 'viewer', 'key:admin'],
  'users.readSelf': ['admin', 'operator', 'viewer', 'player', 'key:admin'],
  'users.write': ['admin', 'key:admin'],
  'apiKeys.read': ['admin', 'operator', 'viewer', 'key:admin'],
  'apiKeys.write': ['admin', 'key:admin'],
  'ops.read': ['admin', 'operator', 'viewer', 'key:admin', 'key:server'],
  'ops.write': ['admin', 'operator', 'key:admin'],
  'instances.write': ['admin', 'key:admin', 'key:server'],
  'webhooks.read': ['admin', 'operator', 'key:admin'],
  'webhooks.write': ['admin', 'key:admin'],
  'audit.read': ['admin', 'operator', 'viewer', 'key:admin'],
  'monitoring.read': ['admin', 'operator', 'viewer', 'key:admin'],
  'monitoring.admin': ['admin', 'key:admin'],
  'client.read': ['key:client', 'key:server', 'key:admin'],
  'events.read': ['admin', 'operator', 'viewer', 'player', 'key:admin', 'key:server', 'key:client'],
};
