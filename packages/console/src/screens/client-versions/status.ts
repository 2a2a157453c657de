import type { ClientVersionStatus } from '../../api/generated/model/clientVersionStatus.ts';

/** The badge color of each status: green lets players in, orange/red keeps them out, blue/violet are updates. */
export const STATUS_COLOR: Record<ClientVersionStatus, string> = {
  ONLINE: 'green',
  OFFLINE: 'gray',
  MAINTENANCE: 'orange',
  FORCED_UPDATE: 'red',
  RECOMMENDED_UPDATE: 'blue',
  UNDER_REVIEW: 'violet',
  BLOCKED_PATCH_ALLOWED: 'yellow',
};
