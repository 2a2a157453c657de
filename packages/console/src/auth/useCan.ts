import { roleCan, type Permission } from '../lib/permissions.ts';
import { useSession } from './session.ts';

/** Whether the signed-in user may use routes of `permission` (mirrors the server's table). */
export function useCan(permission: Permission): boolean {
  const { user } = useSession();
  return roleCan(user?.role, permission);
}
