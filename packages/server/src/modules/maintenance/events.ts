/** The events about global maintenance, added to the event catalog (src/events/catalog.ts; docs/webhooks.md). */
import type { MessagesMap } from '../../core/fields.ts';
import { EXAMPLE_TIME, registerEvents } from '../../events/catalog.ts';
import { MaintenanceWindowSchema } from './schemas.ts';

export interface MaintenanceWindowPayload {
  message: string | null;
  messages: MessagesMap;
  startsAt: string | null;
  endsAt: string | null;
}

declare module '../../events/catalog.ts' {
  interface EventPayloads {
    'maintenance.started': MaintenanceWindowPayload;
    'maintenance.ended': MaintenanceWindowPayload;
    'maintenance.updated': MaintenanceWindowPayload;
  }
  interface EventSocketNames {
    'maintenance.started': 'maintenance_started';
    'maintenance.ended': 'maintenance_ended';
    'maintenance.updated': 'maintenance_updated';
  }
}

const window: MaintenanceWindowPayload = {
  message: '서버 점검 중입니다.',
  messages: { ko: '서버 점검 중입니다.', en: 'Under maintenance.' },
  startsAt: EXAMPLE_TIME,
  endsAt: '2026-01-01T02:00:00.000Z',
};

registerEvents({
  'maintenance.started': {
    socketEvent: 'maintenance_started',
    description: 'Global maintenance began.',
    payload: MaintenanceWindowSchema,
    example: window,
  },
  'maintenance.ended': {
    socketEvent: 'maintenance_ended',
    description: 'Global maintenance ended.',
    payload: MaintenanceWindowSchema,
    example: window,
  },
  'maintenance.updated': {
    socketEvent: 'maintenance_updated',
    description:
      'Global maintenance changed without starting or ending: a window scheduled, moved or cancelled, or a message edited. ' +
      'Game clients are told of a scheduled window before it starts (GET /client/status `upcoming`).',
    payload: MaintenanceWindowSchema,
    example: window,
  },
});
