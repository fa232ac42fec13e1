/**
 * The event store's storage migrations keep every stored event as it was: events written in the first schema
 * (jsonb data and metadata in every row, text stream ids) read back, through the event store, with the same data,
 * metadata, stream and versions once the later migrations (json as written, uuid stream ids, metadata once per
 * command) have run. A database of its own, created and dropped here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventUpcasters } from '../../../src/shared/application/event-upcasters.js';
import { migrations } from '../../../src/shared/infrastructure/database/migrations.js';
import { BulkLoader } from '../../../src/shared/infrastructure/database/bulk-loader.js';
import { TypeormEventStore } from '../../../src/shared/infrastructure/event-store/typeorm-event-store.adapter.js';
import { USER_EVENT_UPCASTERS } from '../../../src/modules/users/application/user-event.upcasters.js';
import { testDatabaseUrl } from '../../support/app.js';

const name = `ocu_migrate_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(testDatabaseUrl()), { pathname: `/${name}` }).toString();
let admin: pg.Client;

const dataSourceWith = (list: typeof migrations) =>
  new DataSource({ type: 'postgres', url, migrations: list, migrationsTableName: 'schema_migrations', synchronize: false, logging: false });

beforeAll(async () => {
  admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
});
afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('event store migrations', () => {
  it('events written before json, uuid stream ids and shared metadata read back exactly as written', async () => {
    const first = migrations.findIndex((m) => m.name.startsWith('StoreEventJsonAsWritten'));
    const before = dataSourceWith(migrations.slice(0, first));
    await before.initialize();
    await before.runMigrations();
    const user = randomUUID();
    const importId = randomUUID();
    const metadataA = { networkId: 'net-a', actorId: 'admin-1', actorEmail: 'admin@acme.example', correlationId: 'c-1', causationId: importId, importId };
    const metadataB = { networkId: 'net-a', actorId: 'admin-2', correlationId: 'c-2' };
    const rows = [
      [user, 1, 'UserCreated', 1, { userId: user, networkId: 'net-a', email: 'ann@acme.example', name: 'Ann', firstName: null, lastName: null, title: 'CTO', mobile: null, importId }, metadataA],
      [user, 2, 'UserProfileUpdated', 1, { userId: user, changes: { title: 'CEO', note: 'quote " and \\\\ backslash' } }, metadataB],
      [user, 3, 'UserDeactivated', 1, { userId: user }, metadataA],
    ] as const;
    for (const [stream, version, type, schemaVersion, data, metadata] of rows) {
      await before.query(
        `INSERT INTO events (event_id, network_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata, recorded_at)
         VALUES ($1, 'net-a', 'user', $2, $3, $4, $5, $6, $7, '2026-11-01T10:00:00Z')`,
        [randomUUID(), stream, version, type, schemaVersion, JSON.stringify(data), JSON.stringify(metadata)],
      );
    }
    await before.destroy();

    const after = dataSourceWith(migrations);
    await after.initialize();
    try {
      await after.runMigrations();
      const store = new TypeormEventStore(after, new EventUpcasters(USER_EVENT_UPCASTERS), new BulkLoader(after, true));
      const read = await store.readStream('net-a', user);
      expect(read.map((e) => [e.streamVersion, e.type, e.metadata])).toEqual([
        [1, 'UserCreated', metadataA],
        [2, 'UserProfileUpdated', metadataB],
        [3, 'UserDeactivated', metadataA],
      ]);
      // UserCreated version 1 is upcast on the way out; the stored data itself is unchanged.
      expect(read[0].data).toMatchObject({ ...rows[0][4], managerId: null, managerEmail: null });
      expect(read[1].data).toEqual(rows[1][4]);
      // Two distinct metadata documents, stored once each.
      const [{ documents }] = await after.query(`SELECT count(*)::int AS documents FROM event_metadata`);
      expect(documents).toBe(2);
    } finally {
      await after.destroy();
    }
  });
});
