/** Pure helpers of the client-versions screen: the channel × sub-channel grid and bulk changes with per-item results. */
import { compareVersions } from './version.ts';

export interface GridVersion {
  id: number;
  channel: string;
  subChannel: string;
  version: string;
  status: string;
}

export interface Grid<T extends GridVersion> {
  channels: string[];
  subChannels: string[];
  /** `cell(channel, subChannel)`: its versions, newest first. */
  cell: (channel: string, subChannel: string) => T[];
}

/** Groups versions into channels (rows) × sub-channels (columns), both sorted, each cell newest version first. */
export function buildGrid<T extends GridVersion>(versions: readonly T[]): Grid<T> {
  const cells = new Map<string, T[]>();
  const channels = new Set<string>();
  const subChannels = new Set<string>();
  for (const v of versions) {
    channels.add(v.channel);
    subChannels.add(v.subChannel);
    const key = `${v.channel}\u0000${v.subChannel}`;
    const list = cells.get(key);
    if (list) list.push(v);
    else cells.set(key, [v]);
  }
  for (const list of cells.values()) list.sort((a, b) => compareVersions(b.version, a.version) || b.id - a.id);
  return {
    channels: [...channels].sort(),
    subChannels: [...subChannels].sort(),
    cell: (channel, subChannel) => cells.get(`${channel}\u0000${subChannel}`) ?? [],
  };
}

export interface BulkResult<T> {
  item: T;
  ok: boolean;
  error?: unknown;
}

/** Runs `action` on each item one after another (the server sees ordinary single writes), collecting every outcome. */
export async function runBulk<T>(items: readonly T[], action: (item: T) => Promise<unknown>, onProgress?: (done: number) => void): Promise<BulkResult<T>[]> {
  const results: BulkResult<T>[] = [];
  for (const item of items) {
    try {
      await action(item);
      results.push({ item, ok: true });
    } catch (error) {
      results.push({ item, ok: false, error });
    }
    onProgress?.(results.length);
  }
  return results;
}
