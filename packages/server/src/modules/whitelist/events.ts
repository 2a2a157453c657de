/** The events about whitelist entries, added to the event catalog (src/events/catalog.ts; docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../core/fields.ts';
import { EXAMPLE_TIME, registerEvents } from '../../events/catalog.ts';
import { WhitelistEntry, type PublicWhitelistEntry } from './schemas.ts';

declare module '../../events/catalog.ts' {
  interface EventPayloads {
    'whitelist.updated': { entry: PublicWhitelistEntry; change: 'created' | 'updated' | 'deleted' };
  }
  interface EventSocketNames {
    'whitelist.updated': 'whitelist_updated';
  }
}

const entry: PublicWhitelistEntry = {
  id: 3,
  type: 'ip',
  value: '203.0.113.0/24',
  memo: 'QA office',
  enabled: true,
  startsAt: null,
  endsAt: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

registerEvents({
  'whitelist.updated': {
    socketEvent: 'whitelist_updated',
    description: 'A whitelist entry was created, changed or deleted.',
    payload: Type.Object({ entry: WhitelistEntry, change: StringEnum(['created', 'updated', 'deleted']) }),
    example: { entry, change: 'created' },
  },
});
