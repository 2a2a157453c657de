import { compareVersions } from '../../core/rules.ts';

export interface VersionKey {
  id: number;
  channel: string;
  subChannel: string;
  version: string;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order versions are listed in: channel, subChannel, version (numerically), then id. */
export function compareVersionKeys(a: VersionKey, b: VersionKey): number {
  return byText(a.channel, b.channel) || byText(a.subChannel, b.subChannel) || compareVersions(a.version, b.version) || a.id - b.id;
}
