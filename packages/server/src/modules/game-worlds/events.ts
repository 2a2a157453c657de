/** The events about game worlds and their maintenance, added to the event catalog (src/events/catalog.ts; docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import { EXAMPLE_TIME, registerEvents } from '../../events/catalog.ts';
import { StringEnum } from '../../core/fields.ts';
import type { MaintenanceWindowPayload } from '../maintenance/events.ts';
import { MaintenanceWindowSchema } from '../maintenance/schemas.ts';
import { GameWorld, type PublicGameWorld } from './schemas.ts';
import { WORLD_INSTANCE_EXAMPLE, WorldInstance, type PublicWorldInstance } from './instance-schemas.ts';

interface WorldPayload {
  id: number;
  worldId: string;
  world: PublicGameWorld;
}

interface InstancePayload {
  id: number;
  worldId: string;
  instanceId: string;
  instance: PublicWorldInstance;
}

declare module '../../events/catalog.ts' {
  interface EventPayloads {
    'world.created': WorldPayload;
    'world.updated': WorldPayload;
    'world.deleted': WorldPayload;
    'world.maintenance_started': WorldPayload & MaintenanceWindowPayload;
    'world.maintenance_ended': WorldPayload;
    'world.instance_up': InstancePayload & { reason: 'registered' | 'returned' };
    'world.instance_down': InstancePayload & { reason: 'expired' | 'deregistered' };
  }
  interface EventSocketNames {
    'world.created': 'world_created';
    'world.updated': 'world_updated';
    'world.deleted': 'world_deleted';
    'world.maintenance_started': 'world_maintenance_started';
    'world.maintenance_ended': 'world_maintenance_ended';
    'world.instance_up': 'world_instance_up';
    'world.instance_down': 'world_instance_down';
  }
}

const world: PublicGameWorld = {
  id: 1,
  worldId: 'world_001',
  name: '메인 월드',
  description: '기본 게임 월드',
  visible: true,
  maintenance: true,
  maintenanceMessage: '서버 점검 중입니다.',
  maintenanceMessages: { ko: '서버 점검 중입니다.', en: 'Under maintenance.' },
  maintenanceStartsAt: EXAMPLE_TIME,
  maintenanceEndsAt: '2026-01-01T02:00:00.000Z',
  displayOrder: 0,
  region: 'kr',
  tags: ['pvp'],
  customPayload: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

const window: MaintenanceWindowPayload = { message: world.maintenanceMessage, messages: world.maintenanceMessages, startsAt: EXAMPLE_TIME, endsAt: world.maintenanceEndsAt };
const worldData = { id: world.id, worldId: world.worldId, world };

const instanceData = { id: world.id, worldId: WORLD_INSTANCE_EXAMPLE.worldId, instanceId: WORLD_INSTANCE_EXAMPLE.instanceId, instance: WORLD_INSTANCE_EXAMPLE };
const InstancePayloadSchema = <const R extends readonly string[]>(reasons: R) =>
  Type.Object({
    id: Type.Integer(),
    worldId: Type.String(),
    instanceId: Type.String(),
    reason: StringEnum(reasons),
    instance: WorldInstance,
  });

const WorldPayloadSchema = Type.Object({ id: Type.Integer(), worldId: Type.String(), world: GameWorld });

registerEvents({
  'world.created': { socketEvent: 'world_created', description: 'A game world was created.', payload: WorldPayloadSchema, example: worldData },
  'world.updated': { socketEvent: 'world_updated', description: 'A game world changed.', payload: WorldPayloadSchema, example: worldData },
  'world.deleted': { socketEvent: 'world_deleted', description: 'A game world was deleted.', payload: WorldPayloadSchema, example: worldData },
  'world.maintenance_started': {
    socketEvent: 'world_maintenance_started',
    description: 'Maintenance of a game world began (now, or at its window start).',
    payload: Type.Composite([WorldPayloadSchema, MaintenanceWindowSchema]),
    example: { ...worldData, ...window },
  },
  'world.maintenance_ended': {
    socketEvent: 'world_maintenance_ended',
    description: 'Maintenance of a game world ended.',
    payload: WorldPayloadSchema,
    example: { ...worldData, world: { ...world, maintenance: false } },
  },
  'world.instance_up': {
    socketEvent: 'world_instance_up',
    description: 'An instance of a game world registered itself with its first heartbeat (reason registered), or heartbeated again after being marked down (returned).',
    payload: InstancePayloadSchema(['registered', 'returned']),
    example: { ...instanceData, reason: 'registered' },
  },
  'world.instance_down': {
    socketEvent: 'world_instance_down',
    description: 'An instance of a game world missed its heartbeats for GATRIX_INSTANCE_TTL (reason expired), or deregistered while up (deregistered).',
    payload: InstancePayloadSchema(['expired', 'deregistered']),
    example: { ...instanceData, reason: 'expired', instance: { ...WORLD_INSTANCE_EXAMPLE, up: false, downAt: EXAMPLE_TIME } },
  },
});
