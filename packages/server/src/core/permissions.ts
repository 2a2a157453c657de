/** Who is calling, and what each kind of caller may do (docs/security.md). Routes declare one Permission each. */

export const ROLES = ['admin', 'operator', 'viewer', 'player'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

export const API_KEY_TYPES = ['admin', 'server', 'client'] as const;
export type ApiKeyType = (typeof API_KEY_TYPES)[number];

export type Principal =
  | { kind: 'user'; userId: number; username: string; role: Role }
  | { kind: 'apiKey'; keyId: number; name: string; keyType: ApiKeyType };

/**
 * Who is calling, as `user:<id>` or `key:<id>`: for logs, idempotency scopes, error reports and the per-credential
 * socket count; never a credential.
 */
export function principalLabel(p: Principal): string;
export function principalLabel(p: Principal | undefined): string | undefined;
export function principalLabel(p: Principal | undefined): string | undefined {
  return p ? (p.kind === 'user' ? `user:${p.userId}` : `key:${p.keyId}`) : undefined;
}

export const PERMISSIONS = {
  /** No credentials needed. */
  public: [],
  /** Signed-in users only (their own session and profile). */
  self: ['admin', 'operator', 'viewer', 'player'],
  'users.read': ['admin', 'operator', 'viewer', 'key:admin'],
  /** users.read, plus a player reading its own profile (the route checks the id). */
  'users.readSelf': ['admin', 'operator', 'viewer', 'player', 'key:admin'],
  'users.write': ['admin', 'key:admin'],
  'apiKeys.read': ['admin', 'operator', 'viewer', 'key:admin'],
  'apiKeys.write': ['admin', 'key:admin'],
  'ops.read': ['admin', 'operator', 'viewer', 'key:admin', 'key:server'],
  'ops.write': ['admin', 'operator', 'key:admin'],
  /** World servers registering themselves (heartbeats, deregistration): server keys, and admins. */
  'instances.write': ['admin', 'key:admin', 'key:server'],
  'webhooks.read': ['admin', 'operator', 'key:admin'],
  'webhooks.write': ['admin', 'key:admin'],
  'audit.read': ['admin', 'operator', 'viewer', 'key:admin'],
  'monitoring.read': ['admin', 'operator', 'viewer', 'key:admin'],
  'monitoring.admin': ['admin', 'key:admin'],
  'client.read': ['key:client', 'key:server', 'key:admin'],
  /** The event feed: every caller, each shown only the events it may hear on the live stream (modules/realtime/audience.ts). */
  'events.read': ['admin', 'operator', 'viewer', 'player', 'key:admin', 'key:server', 'key:client'],
} as const satisfies Record<string, readonly string[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Who made a change, from where: passed from the HTTP layer into services for auditing. */
export interface Actor {
  principal?: Principal;
  ip?: string | null;
  requestId?: string | null;
  /** Why, in the caller's words (the X-Audit-Reason header, decoded; at most AUDIT_REASON_MAX characters). */
  reason?: string | null;
}

/** The longest audit reason, in characters after decoding. */
export const AUDIT_REASON_MAX = 500;

export const SYSTEM_ACTOR: Actor = {};

export function grantOf(p: Principal): string {
  return p.kind === 'user' ? p.role : `key:${p.keyType}`;
}

export function allows(permission: Permission, p: Principal | undefined): boolean {
  if (permission === 'public') return true;
  if (!p) return false;
  return (PERMISSIONS[permission] as readonly string[]).includes(grantOf(p));
}

const either = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`);

/** What a 403 says: the permission the route needs and who has it, e.g. "… client.read, which client, server or admin API keys have". */
export function neededFor(permission: Permission): string {
  const grants: readonly string[] = PERMISSIONS[permission];
  const roles = grants.filter((g) => !g.startsWith('key:'));
  const keys = grants.filter((g) => g.startsWith('key:')).map((g) => g.slice(4));
  const who = [roles.length > 0 ? `users with role ${either(roles)}` : '', keys.length > 0 ? `${either(keys)} API keys` : ''].filter(Boolean);
  return `This route needs the ${permission} permission, which ${who.join(' and ')} have`;
}

export function isStaff(p: Principal): boolean {
  return p.kind === 'user' ? STAFF_ROLES.includes(p.role) : p.keyType === 'admin';
}
