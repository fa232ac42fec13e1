/**
 * Direct access to the per-run test database for integration tests: a migrated runtime, the real adapters,
 * and command contexts. Use uniqueNetworkId() from ./app.js for every network a test writes.
 */
import { randomUUID } from 'node:crypto';
import { openRuntime, type OpenRuntime } from '../../src/bootstrap.js';
import type { CommandContext } from '../../src/shared/application/command-context.js';
import { EventUpcasters } from '../../src/shared/application/event-upcasters.js';
import { CURRENT_SCHEMA_VERSIONS } from '../../src/modules/messaging/domain/message-contract.js';
import { EVENT_UPCASTERS } from '../../src/event-upcasters.js';
import type { EventMetadata, NewEvent } from '../../src/shared/application/ports/event-store.port.js';
import { BulkLoader } from '../../src/shared/infrastructure/database/bulk-loader.js';
import { TypeormUnitOfWork } from '../../src/shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { TypeormEventStore } from '../../src/shared/infrastructure/event-store/typeorm-event-store.adapter.js';
import type { DataSource } from 'typeorm';
import { testConfig, type TestEnv } from './app.js';

/** The migrated test database with no HTTP app around it. Close it in afterAll. */
export function openTestRuntime(overrides: TestEnv = {}): Promise<OpenRuntime> {
  return openRuntime(testConfig(overrides));
}

export function eventStoreOn(runtime: OpenRuntime, upcasters = new EventUpcasters(EVENT_UPCASTERS)) {
  const bulk = new BulkLoader(runtime.dataSource, runtime.bulkCopy);
  return { events: new TypeormEventStore(runtime.dataSource, upcasters, bulk), uow: new TypeormUnitOfWork(runtime.dataSource) };
}

export function commandContextFor(networkId: string, overrides: Partial<CommandContext> = {}): CommandContext {
  return { networkId, actor: { id: 'admin-1', email: 'admin@test.example' }, correlationId: `corr-${randomUUID()}`, ...overrides };
}

export function newEvent(type: string, data: object, metadata: EventMetadata, overrides: Partial<NewEvent> = {}): NewEvent {
  return { eventId: randomUUID(), type, schemaVersion: CURRENT_SCHEMA_VERSIONS[type] ?? 1, data, metadata, recordedAt: new Date(), ...overrides };
}

/** The raw rows of a stream, straight from the events table and its metadata (no adapter in between). */
export async function eventRows(runtime: OpenRuntime, streamId: string) {
  return runtime.dataSource.query<
    { position: string; event_id: string; network_id: string; stream_version: number; type: string; metadata: Record<string, unknown> }[]
  >(
    `SELECT e.position, e.event_id, e.network_id, e.stream_version, e.type, m.metadata
       FROM events e JOIN event_metadata m ON m.id = e.metadata_id WHERE e.stream_id = $1 ORDER BY e.stream_version`,
    [streamId],
  );
}

/** Polls until a session of this test run's database waits for an advisory lock (one the test holds, say). */
export async function untilWaitingForAdvisoryLock(dataSource: DataSource, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await dataSource.query<{ waiting: number }[]>(
      `SELECT count(*)::int AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    if (row.waiting > 0) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
