/**
 * What each caller may do: a copy of the server's table (packages/server/src/core/permissions.ts).
 * test/permissions.test.ts fails when the two differ. The server decides; the console only hides and disables
 * what would be refused.
 */
export const ROLES = ['admin', 'operator', 'viewer', 'player'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
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
} as const satisfies Record<string, readonly string[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether a signed-in user of `role` may use routes of `permission`. */
export function roleCan(role: Role | undefined, permission: Permission): boolean {
  if (permission === 'public') return true;
  if (!role) return false;
  return (PERMISSIONS[permission] as readonly string[]).includes(role);
}
