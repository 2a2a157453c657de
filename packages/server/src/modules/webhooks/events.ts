/** The events about webhook endpoints themselves, added to the event catalog (src/events/catalog.ts; docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import { registerEvents } from '../../events/catalog.ts';

declare module '../../events/catalog.ts' {
  interface EventPayloads {
    'webhook.test': { webhookId: number };
    'webhook.disabled': { webhookId: number; url: string; reason: string };
  }
  interface EventSocketNames {
    'webhook.test': null;
    'webhook.disabled': 'webhook_disabled';
  }
}

registerEvents({
  'webhook.test': {
    socketEvent: null,
    description: 'Sent to one endpoint by POST /webhooks/:id/test.',
    payload: Type.Object({ webhookId: Type.Integer() }),
    example: { webhookId: 5 },
  },
  'webhook.disabled': {
    socketEvent: 'webhook_disabled',
    description: 'An endpoint was disabled: it answered 410 Gone, or failed for too long.',
    payload: Type.Object({ webhookId: Type.Integer(), url: Type.String(), reason: Type.String() }),
    example: { webhookId: 5, url: 'https://partner.example.com/webhook', reason: 'gone' },
  },
});
