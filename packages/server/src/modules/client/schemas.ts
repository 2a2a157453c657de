import { Type } from '@sinclair/typebox';
import { IsoDateTime } from '../../core/fields.ts';
import { ClientVersion } from '../client-versions/schemas.ts';
import { GAME_WORLD_EXAMPLE, GameWorld } from '../game-worlds/schemas.ts';
import { GlobalMaintenance } from '../maintenance/schemas.ts';
import { Notice, NOTICE_EXAMPLE } from '../notices/schemas.ts';
import { WhitelistEntry } from '../whitelist/schemas.ts';

/** GET /api/v1/server/snapshot: what a game server's cache starts from (docs/server-cache.md). */
export const ServerSnapshot = Type.Object(
  {
    version: Type.String({ description: 'A hash of the content: equal versions, equal content. The ETag is this value in quotes' }),
    generatedAt: IsoDateTime,
    worlds: Type.Array(GameWorld, { description: 'Every game world (hidden ones too, `visible: false`), in display order' }),
    maintenance: GlobalMaintenance,
    whitelist: Type.Array(WhitelistEntry, { description: 'The enabled whitelist entries, whatever their window (the window is applied when asked)' }),
    clientVersions: Type.Array(ClientVersion, { description: 'Every registered client version, by id' }),
    notices: Type.Array(Notice, { description: 'The enabled notices that have not ended (shown now or later), by id' }),
  },
  {
    title: 'ServerSnapshot',
    description: 'Worlds, global maintenance, whitelist, client versions and notices in one versioned document',
    examples: [
      {
        version: 'Yx3oQ0w2d6vYx1c9Hn2J0sM7aQe',
        generatedAt: '2026-01-01T00:00:00.000Z',
        worlds: [GAME_WORLD_EXAMPLE],
        maintenance: GlobalMaintenance.examples[0],
        whitelist: WhitelistEntry.examples,
        clientVersions: ClientVersion.examples,
        notices: [NOTICE_EXAMPLE],
      },
    ],
  },
);
