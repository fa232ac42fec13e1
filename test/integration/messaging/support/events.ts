/** Events written straight through the real event store adapter, with transactions the test holds open at will. */
import { randomUUID } from 'node:crypto';
import type { OpenRuntime } from '../../../../src/bootstrap.js';
import type { NewEvent, StreamAppend } from '../../../../src/shared/application/ports/event-store.port.js';
import { eventStoreOn } from '../../../support/database.js';

export function metadataFor(networkId: string) {
  return { networkId, actorId: 'admin-1', actorEmail: 'admin@test.example', correlationId: `corr-${randomUUID()}` };
}

/** A user's stream from version `fromVersion + 1`: UserCreated first when it starts at 0, then profile updates. */
export function userEvents(networkId: string, userId: string, count: number, fromVersion = 0): StreamAppend {
  const metadata = metadataFor(networkId);
  const events: NewEvent[] = Array.from({ length: count }, (_, i) => {
    const version = fromVersion + i + 1;
    const data =
      version === 1
        ? { userId, networkId, email: `${userId.slice(0, 8)}@acme.example`, name: `User ${userId.slice(0, 8)}`, firstName: null, lastName: null, title: null, mobile: null }
        : { userId, changes: { title: `Title ${version}` } };
    return { eventId: randomUUID(), type: version === 1 ? 'UserCreated' : 'UserProfileUpdated', schemaVersion: 1, data, metadata, recordedAt: new Date() };
  });
  return { streamType: 'user', streamId: userId, expectedVersion: fromVersion, events };
}

export function idsOf(appends: readonly StreamAppend[]): string[] {
  return appends.flatMap((a) => a.events.map((e) => e.eventId));
}

/** Appends in one transaction and commits. */
export async function appendCommitted(runtime: OpenRuntime, appends: StreamAppend[]): Promise<string[]> {
  const { events, uow } = eventStoreOn(runtime);
  await uow.transaction((tx) => events.append(tx, appends));
  return idsOf(appends);
}

export interface HeldTransaction {
  readonly eventIds: string[];
  /** Resolves once the events are inserted (the transaction still open). */
  readonly inserted: Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

class RolledBack extends Error {}

/** Appends in a transaction that stays open until the test commits or rolls it back. */
export function holdTransaction(runtime: OpenRuntime, appends: StreamAppend[]): HeldTransaction {
  const { events, uow } = eventStoreOn(runtime);
  let markInserted!: () => void;
  let failInserted!: (e: unknown) => void;
  const inserted = new Promise<void>((resolve, reject) => ((markInserted = resolve), (failInserted = reject)));
  let finish!: (decision: 'commit' | 'rollback') => void;
  const decided = new Promise<'commit' | 'rollback'>((resolve) => (finish = resolve));
  const done = uow
    .transaction(async (tx) => {
      await events.append(tx, appends);
      markInserted();
      if ((await decided) === 'rollback') throw new RolledBack();
    })
    .catch((error: unknown) => {
      failInserted(error);
      if (!(error instanceof RolledBack)) throw error;
    });
  return {
    eventIds: idsOf(appends),
    inserted,
    commit: async () => {
      finish('commit');
      await done;
    },
    rollback: async () => {
      finish('rollback');
      await done;
    },
  };
}

/** Every committed event id of the database. */
export async function committedEventIds(runtime: OpenRuntime): Promise<string[]> {
  const rows = await runtime.dataSource.query<{ event_id: string }[]>(`SELECT event_id FROM events ORDER BY position`);
  return rows.map((r) => r.event_id);
}

export async function checkpointOf(runtime: OpenRuntime, relay = 'kafka'): Promise<{ transactionId: string; position: string; publishedTotal: number }> {
  const [row] = await runtime.dataSource.query(
    `SELECT transaction_id::text AS t, position::text AS p, published_total::int AS n FROM event_relay_checkpoints WHERE relay = $1`,
    [relay],
  );
  return { transactionId: row.t, position: row.p, publishedTotal: row.n };
}
