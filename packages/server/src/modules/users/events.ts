/** The events about user accounts, added to the event catalog (src/events/catalog.ts; docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import { IsoDateTime, Nullable } from '../../core/fields.ts';
import { EXAMPLE_TIME, registerEvents } from '../../events/catalog.ts';
import { User, type PublicUser } from './schemas.ts';

declare module '../../events/catalog.ts' {
  interface EventPayloads {
    'user.created': { userId: number; user: PublicUser };
    'user.updated': { userId: number; user: PublicUser; changes: Record<string, { from: unknown; to: unknown }> };
    'user.deleted': { userId: number; user: PublicUser };
    'user.login': { userId: number; username: string; ip: string | null; at: string };
  }
  interface EventSocketNames {
    'user.created': 'user_registered';
    'user.updated': 'user_updated';
    'user.deleted': 'user_deleted';
    'user.login': 'user_login';
  }
}

const user: PublicUser = {
  id: 123,
  username: 'player123',
  email: 'player@example.com',
  displayName: null,
  role: 'player',
  status: 'active',
  lastLoginAt: null,
  suspendedReason: null,
  suspendedUntil: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

const UserPayload = Type.Object({ userId: Type.Integer(), user: User });

registerEvents({
  'user.created': {
    socketEvent: 'user_registered',
    description: 'A user account was created.',
    payload: UserPayload,
    example: { userId: user.id, user },
  },
  'user.updated': {
    socketEvent: 'user_updated',
    description: 'A user account changed (also: suspended, unsuspended by hand or when its suspension ends, password reset); `changes` lists each field from → to.',
    payload: Type.Object({ userId: Type.Integer(), user: User, changes: Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() })) }),
    example: {
      userId: user.id,
      user: { ...user, status: 'suspended', suspendedReason: 'Chargeback under review' },
      changes: { status: { from: 'active', to: 'suspended' }, suspendedReason: { from: null, to: 'Chargeback under review' } },
    },
  },
  'user.deleted': {
    socketEvent: 'user_deleted',
    description: 'A user account was deleted.',
    payload: UserPayload,
    example: { userId: user.id, user },
  },
  'user.login': {
    socketEvent: 'user_login',
    description: 'A user signed in.',
    payload: Type.Object({ userId: Type.Integer(), username: Type.String(), ip: Nullable(Type.String()), at: IsoDateTime }),
    example: { userId: user.id, username: user.username, ip: '203.0.113.7', at: EXAMPLE_TIME },
  },
});
