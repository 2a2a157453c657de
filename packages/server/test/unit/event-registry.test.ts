/**
 * The event catalog as a registry (src/events/catalog.ts): the features' events files fill it once, a name or a
 * Socket.IO name registered twice throws, and every event has a payload schema its example satisfies.
 */
import '../../src/app/events.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type } from '@sinclair/typebox';
import { EVENT_CATALOG, EVENT_EXAMPLES, EVENT_NAMES, EVENT_SCHEMAS, registerEvents, SOCKET_EVENTS, type EventName } from '../../src/events/catalog.ts';
import { EVENT_AUDIENCE } from '../../src/modules/realtime/audience.ts';

const addFormats = addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const snapshot = () => JSON.stringify({ EVENT_CATALOG, EVENT_NAMES, EVENT_EXAMPLES, sockets: [...SOCKET_EVENTS] });

describe('event registry', () => {
  it('holds the events of every feature, each name once, in the order app/events.ts loads them', () => {
    assert.equal(EVENT_NAMES.length, 23);
    assert.equal(new Set(EVENT_NAMES).size, EVENT_NAMES.length);
    assert.deepEqual(Object.keys(EVENT_CATALOG), EVENT_NAMES);
    const prefixes = [...new Set(EVENT_NAMES.map((e) => e.split('.')[0]))];
    assert.deepEqual(prefixes, ['user', 'world', 'maintenance', 'client_version', 'whitelist', 'notice', 'webhook']);
  });

  it('every registered event has a description, a payload schema and an example that the schema accepts', () => {
    for (const event of EVENT_NAMES) {
      assert.ok(EVENT_CATALOG[event].description.length > 0, event);
      const schema = EVENT_SCHEMAS[event];
      assert.ok(schema && typeof schema === 'object', `${event} has no payload schema`);
      assert.ok(EVENT_EXAMPLES[event] !== undefined, `${event} has no example`);
      const validate = ajv.compile(schema);
      assert.ok(validate(EVENT_EXAMPLES[event]), `${event}: ${ajv.errorsText(validate.errors)}`);
    }
  });

  it('the payload schemas refuse what the payload type refuses', () => {
    for (const event of EVENT_NAMES) {
      assert.equal(ajv.validate(EVENT_SCHEMAS[event], {}), false, `${event} accepts {}`);
    }
    assert.equal(ajv.validate(EVENT_SCHEMAS['user.created'], { ...EVENT_EXAMPLES['user.created'], userId: '123' }), false);
    assert.equal(ajv.validate(EVENT_SCHEMAS['whitelist.updated'], { ...EVENT_EXAMPLES['whitelist.updated'], change: 'renamed' }), false);
  });

  it('Socket.IO names map back to their events; every event has a realtime audience', () => {
    for (const event of EVENT_NAMES) {
      const socketEvent = EVENT_CATALOG[event].socketEvent;
      if (socketEvent !== null) assert.equal(SOCKET_EVENTS.get(socketEvent), event);
      assert.ok(Array.isArray(EVENT_AUDIENCE[event]), `${event} has no audience`);
    }
    assert.equal(SOCKET_EVENTS.size, EVENT_NAMES.filter((e) => EVENT_CATALOG[e].socketEvent !== null).length);
    assert.deepEqual(Object.keys(EVENT_AUDIENCE).sort(), [...EVENT_NAMES].sort());
  });

  it('registering an event name again throws and changes nothing', () => {
    const before = snapshot();
    assert.throws(
      () =>
        registerEvents({
          'webhook.test': { socketEvent: null, description: 'again', payload: Type.Object({ webhookId: Type.Integer() }), example: { webhookId: 1 } },
        }),
      /event webhook\.test is registered twice/,
    );
    assert.equal(snapshot(), before);
  });

  it('registering a Socket.IO name again, under a new event name, throws and changes nothing', () => {
    const before = snapshot();
    const twin = { socketEvent: 'user_registered', description: 'a twin', payload: Type.Object({}), example: {} };
    assert.throws(() => registerEvents({ ['user.twin' as EventName]: twin } as Parameters<typeof registerEvents>[0]), /Socket\.IO event user_registered .* is registered twice/);
    assert.equal(snapshot(), before);
  });
});
