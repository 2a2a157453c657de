import { useQuery } from '@tanstack/react-query';
import { listClientVersions } from '../../api/generated/client-versions/client-versions.ts';
import type { ClientVersion } from '../../api/generated/model/clientVersion.ts';
import type { ClientVersionStatus } from '../../api/generated/model/clientVersionStatus.ts';

/** The server's largest page. */
const PAGE = 100;

/** Every version matching `filter`, page by page (versions are release builds: hundreds at most). */
export async function allClientVersions(filter: { channel?: string; subChannel?: string; status?: ClientVersionStatus } = {}): Promise<ClientVersion[]> {
  const out: ClientVersion[] = [];
  for (let page = 1; ; page++) {
    const res = await listClientVersions({ ...filter, page, limit: PAGE });
    out.push(...res.data);
    if (page >= res.pagination.totalPages) return out;
  }
}

/** All versions, cached under the list's path so saves and live events refresh it like the list. */
export function useAllClientVersions() {
  return useQuery({ queryKey: ['/api/v1/client-versions', 'all'], queryFn: () => allClientVersions() });
}
