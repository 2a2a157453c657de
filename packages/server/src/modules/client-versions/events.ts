/** The events about client versions, added to the event catalog (src/events/catalog.ts; docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import { EXAMPLE_TIME, registerEvents } from '../../events/catalog.ts';
import { ClientVersion, type PublicClientVersion } from './schemas.ts';

declare module '../../events/catalog.ts' {
  interface EventPayloads {
    'client_version.created': { id: number; clientVersion: PublicClientVersion };
    'client_version.updated': { id: number; clientVersion: PublicClientVersion };
    'client_version.deleted': { id: number; clientVersion: PublicClientVersion };
  }
  interface EventSocketNames {
    'client_version.created': 'client_version_created';
    'client_version.updated': 'client_version_updated';
    'client_version.deleted': 'client_version_deleted';
  }
}

const clientVersion: PublicClientVersion = {
  id: 7,
  channel: 'PC',
  subChannel: 'Steam',
  version: '1.2.0',
  status: 'ONLINE',
  gameServerAddress: 'game.example.com:7000',
  gameServerAddressForWhitelist: null,
  patchAddress: 'https://cdn.example.com/patch',
  patchAddressForWhitelist: null,
  minPatchVersion: '1.0041',
  guestModeAllowed: false,
  externalClickLink: null,
  customPayload: null,
  maintenanceMessage: null,
  maintenanceMessages: {},
  memo: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

const Payload = Type.Object({ id: Type.Integer(), clientVersion: ClientVersion });
const example = { id: clientVersion.id, clientVersion };

registerEvents({
  'client_version.created': { socketEvent: 'client_version_created', description: 'A client version was created.', payload: Payload, example },
  'client_version.updated': { socketEvent: 'client_version_updated', description: 'A client version changed.', payload: Payload, example },
  'client_version.deleted': { socketEvent: 'client_version_deleted', description: 'A client version was deleted.', payload: Payload, example },
});
