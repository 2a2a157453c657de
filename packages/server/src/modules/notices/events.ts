/** The events about service notices, added to the event catalog (src/events/catalog.ts; docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import { registerEvents } from '../../events/catalog.ts';
import { Notice, NOTICE_EXAMPLE, type PublicNotice } from './schemas.ts';

interface NoticePayload {
  id: number;
  notice: PublicNotice;
}

declare module '../../events/catalog.ts' {
  interface EventPayloads {
    'notice.created': NoticePayload;
    'notice.updated': NoticePayload;
    'notice.deleted': NoticePayload;
  }
  interface EventSocketNames {
    'notice.created': 'notice_created';
    'notice.updated': 'notice_updated';
    'notice.deleted': 'notice_deleted';
  }
}

const notice: PublicNotice = { ...NOTICE_EXAMPLE, translations: { ...NOTICE_EXAMPLE.translations }, channels: [...NOTICE_EXAMPLE.channels], subChannels: [], worldIds: [] };
const example = { id: notice.id, notice };
const payload = Type.Object({ id: Type.Integer(), notice: Notice });

registerEvents({
  'notice.created': { socketEvent: 'notice_created', description: 'A service notice was created.', payload, example },
  'notice.updated': { socketEvent: 'notice_updated', description: 'A service notice changed (its texts, targeting, window or enabled flag).', payload, example },
  'notice.deleted': { socketEvent: 'notice_deleted', description: 'A service notice was deleted.', payload, example },
});
