// The message contract, pure: topic, key, the six headers and the JSON value of each recorded event, checked
// field by field and against asyncapi.yaml; the document covers every event type at its current schema version.
import { randomUUID } from 'node:crypto';
import { IMPORT_EVENT_SCHEMA_VERSIONS } from '../../../src/modules/imports/domain/import.events.js';
import {
  CURRENT_SCHEMA_VERSIONS,
  causationOf,
  cursorAfter,
  DEFAULT_TOPICS,
  needsUpcast,
  type StoredEvent,
  toOutboundMessage,
} from '../../../src/modules/messaging/domain/message-contract.js';
import { USER_EVENT_SCHEMA_VERSIONS } from '../../../src/modules/users/domain/user.events.js';
import { loadAsyncApi } from '../../integration/messaging/support/asyncapi.js';

const userId = randomUUID();
const importId = randomUUID();

function stored(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    transactionId: '900',
    position: '42',
    eventId: randomUUID(),
    networkId: 'acme',
    streamType: 'user',
    streamId: userId,
    streamVersion: 3,
    type: 'UserProfileUpdated',
    schemaVersion: 1,
    dataJson: JSON.stringify({ userId, changes: { title: 'CTO "the boss" — ünïcode', mobile: null } }),
    metadata: { actorId: 'admin:ann@acme.example', actorEmail: 'ann@acme.example', correlationId: 'req-1' },
    recordedAt: '2026-11-25T10:00:00.123Z',
    ...overrides,
  };
}

describe('message contract', () => {
  it('a user event: users topic, keyed by user id, six headers, the envelope as JSON', () => {
    const event = stored({ metadata: { actorId: 'admin-1', actorEmail: 'ann@acme.example', correlationId: 'req-1', causationId: 'cause-9' } });
    const m = toOutboundMessage(event, DEFAULT_TOPICS);
    expect(m.topic).toBe('office-chat.users.v1');
    expect(m.key).toBe(userId);
    expect(m.headers).toEqual({
      'event-id': event.eventId,
      'event-type': 'UserProfileUpdated',
      'schema-version': '1',
      'network-id': 'acme',
      'correlation-id': 'req-1',
      'causation-id': 'cause-9',
    });
    expect(JSON.parse(m.value)).toEqual({
      eventId: event.eventId,
      type: 'UserProfileUpdated',
      schemaVersion: 1,
      networkId: 'acme',
      streamId: userId,
      version: 3,
      recordedAt: '2026-11-25T10:00:00.123Z',
      actor: { id: 'admin-1', email: 'ann@acme.example' },
      correlationId: 'req-1',
      causationId: 'cause-9',
      importId: null,
      data: { userId, changes: { title: 'CTO "the boss" — ünïcode', mobile: null } },
    });
  });

  it('an import event: imports topic, keyed by import id; absent actor e-mail and causation become null and the correlation id', () => {
    const event = stored({
      streamType: 'import',
      streamId: importId,
      streamVersion: 1,
      type: 'ImportCompleted',
      dataJson: '{"importId":"x","warnings":0}',
      metadata: { actorId: 'admin-1', correlationId: 'req-7', importId },
    });
    const m = toOutboundMessage(event, { users: 'u', imports: 'i' });
    expect(m.topic).toBe('i');
    expect(m.key).toBe(importId);
    expect(m.headers['causation-id']).toBe('req-7');
    expect(causationOf(event)).toBe('req-7');
    expect(JSON.parse(m.value)).toMatchObject({ actor: { id: 'admin-1', email: null }, causationId: 'req-7', importId, data: { importId: 'x', warnings: 0 } });
  });

  it('escapes every text field (quotes, backslashes, control characters) into valid JSON', () => {
    const nasty = 'a"b\\c\nd\u0001e\u2028f';
    const m = toOutboundMessage(stored({ networkId: nasty, metadata: { actorId: nasty, actorEmail: nasty, correlationId: nasty } }), DEFAULT_TOPICS);
    const value = JSON.parse(m.value);
    expect([value.networkId, value.actor.id, value.actor.email, value.correlationId]).toEqual([nasty, nasty, nasty, nasty]);
  });

  it('needsUpcast only for a stored version below its type\'s current one; cursorAfter is the last event\'s pair', () => {
    expect(needsUpcast({ type: 'UserCreated', schemaVersion: CURRENT_SCHEMA_VERSIONS.UserCreated })).toBe(false);
    expect(needsUpcast({ type: 'UserCreated', schemaVersion: 0 })).toBe(true);
    expect(needsUpcast({ type: 'SomethingUnknown', schemaVersion: 1 })).toBe(false);
    expect(cursorAfter([stored({ transactionId: '5', position: '9' }), stored({ transactionId: '7', position: '8' })])).toEqual({ transactionId: '7', position: '8' });
    expect(cursorAfter([])).toBeUndefined();
  });
});

describe('asyncapi.yaml', () => {
  const contract = loadAsyncApi();

  it('documents every event type on its topic at its current schema version', () => {
    expect(contract.eventTypes('office-chat.users.v1').sort()).toEqual(Object.keys(USER_EVENT_SCHEMA_VERSIONS).sort());
    expect(contract.eventTypes('office-chat.imports.v1').sort()).toEqual(Object.keys(IMPORT_EVENT_SCHEMA_VERSIONS).sort());
    const doc = contract.doc;
    for (const [type, version] of Object.entries(CURRENT_SCHEMA_VERSIONS)) {
      const headers = doc.components.schemas[`${type}Headers`];
      expect(headers.allOf[1].properties['schema-version'].const).toBe(String(version));
      expect(doc.components.schemas[`${type}Message`].allOf[1].properties.schemaVersion.const).toBe(version);
    }
  });

  it('accepts what toOutboundMessage makes, and its validation is not vacuous', () => {
    const event = stored({
      type: 'UserCreated',
      schemaVersion: 2,
      streamVersion: 1,
      dataJson: JSON.stringify({ userId, networkId: 'acme', email: 'ann@acme.example', name: 'Ann', firstName: null, lastName: null, title: null, mobile: '+441234567890', managerId: null, managerEmail: null }),
    });
    const m = toOutboundMessage(event, DEFAULT_TOPICS);
    const wire = { key: m.key, headers: { ...m.headers }, value: JSON.parse(m.value) };
    expect(contract.check('office-chat.users.v1', wire)).toEqual([]);

    const { ['causation-id']: _dropped, ...noCausation } = wire.headers;
    expect(contract.check('office-chat.users.v1', { ...wire, headers: noCausation as Record<string, string> })).toEqual([
      expect.stringContaining("must have required property 'causation-id'"),
    ]);
    expect(contract.check('office-chat.users.v1', { ...wire, value: { ...wire.value, data: { ...wire.value.data, extra: 1 } } }).join()).toContain('extra');
    expect(contract.check('office-chat.users.v1', { ...wire, key: 'not-a-uuid' }).join()).toContain('key');
    expect(contract.check('office-chat.users.v1', { ...wire, headers: { ...wire.headers, 'event-type': 'ImportStarted' } })).toEqual([
      'event type "ImportStarted" is not documented on office-chat.users.v1',
    ]);
    expect(contract.check('office-chat.users.v1', { ...wire, headers: { ...wire.headers, 'schema-version': '1' } }).join()).toContain('schema-version');
  });
});
