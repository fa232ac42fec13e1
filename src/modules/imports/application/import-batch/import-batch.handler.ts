import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UniqueEmailViolationError } from '../../../../shared/application/application-errors.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore, type StreamAppend } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { UserProjection, UserReadModel, type UserSnapshot } from '../../../users/application/ports/user-read-model.port.js';
import type { ManagerRef } from '../../../users/domain/user.commands.js';
import { decide, evolve, type ExistingUser } from '../../../users/domain/user.decider.js';
import { USER_EVENT_SCHEMA_VERSIONS, type UserEvent } from '../../../users/domain/user.events.js';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { decideImport } from '../../domain/import.decider.js';
import { IMPORT_EVENT_SCHEMA_VERSIONS, zeroCounts } from '../../domain/import.events.js';
import { decideImportRow } from '../../domain/import-row-decision.js';
import { ImportRepository, ImportStaging, type RejectedLine, type StagedRowRecord, type ColumnMapping } from '../ports/import-store.port.js';
import { importCommandContext, runningImportState } from '../import-record.context.js';
import { ImportBatchCommand, type ImportBatchOutcome } from './import-batch.command.js';

/**
 * The row's cells in the file's column order, for the error report an admin fixes and re-uploads: as read from
 * the file, or (for a row staged without them) rebuilt from its staged values.
 */
function cellsOf(row: StagedRowRecord, columns: readonly ColumnMapping[]): readonly string[] {
  if (row.fields) return row.fields;
  const value: Record<string, string | undefined> = {
    email: row.email,
    name: row.name,
    firstName: row.firstName,
    lastName: row.lastName,
    title: row.title,
    mobile: row.mobile,
    manager: row.managerKey,
    enabled: row.enabled === null ? '' : row.enabled ? 'TRUE' : 'FALSE',
  };
  return columns.map((c) => (c.field ? (value[c.field] ?? '') : ''));
}

@CommandHandler(ImportBatchCommand)
export class ImportBatchHandler implements ICommandHandler<ImportBatchCommand, ImportBatchOutcome> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly events: EventStore,
    private readonly imports: ImportRepository,
    private readonly staging: ImportStaging,
    private readonly users: UserReadModel,
    private readonly projection: UserProjection,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Only the users the whole-file pass found, and the managers, are looked up first: a file of new users looks up
   * little more than its managers. A user created since the pass (an API call) makes the insert of the line's new
   * user fail on the unique e-mail, and nothing is written; the batch is then decided again looking up every line.
   * A dry run inserts nothing, so it always looks up every line.
   */
  async execute(command: ImportBatchCommand): Promise<ImportBatchOutcome> {
    const settings = await this.imports.getById(command.importId);
    if (!settings) throw new Error(`Import ${command.importId} does not exist`);
    if (settings.dryRun) return this.apply(command, settings.networkId, 'every-line');
    try {
      return await this.apply(command, settings.networkId, 'found-by-the-pass');
    } catch (error) {
      if (!(error instanceof UniqueEmailViolationError)) throw error;
      return this.apply(command, settings.networkId, 'every-line');
    }
  }

  private async apply({ importId, rows }: ImportBatchCommand, network: string, lookUp: 'found-by-the-pass' | 'every-line'): Promise<ImportBatchOutcome> {
    const now = this.clock.now();
    // The users are read before the transaction and without row locks. Locking their rows first and inserting
    // their events second deadlocks with an API edit, which inserts its event first and updates the row second
    // (the edit then failed with a 500, or the batch kept failing until the import was given up). Nothing is lost
    // without the lock: the events' unique (stream, version) is the optimistic check, so an edit committed since
    // this read makes the append throw ConcurrencyConflictError, and the batch is decided again on the new state.
    // Managers too: one named by e-mail may have become a user since the whole-file pass (see below).
    const keys = new Set<string>();
    for (const r of rows) {
      if (lookUp === 'every-line' || r.existing) keys.add(r.emailKey);
      if (r.managerId && r.managerKey) keys.add(r.managerKey);
    }
    const existing = await this.users.findByEmailKeys(network, [...keys]);
    const repairs = await this.repairManagerLinks(importId, network, rows, existing);
    return this.uow.transaction(async (tx) => {
      const record = await this.imports.getById(importId, tx);
      if (!record) throw new Error(`Import ${importId} does not exist`);
      const ctx = importCommandContext(record);
      const ids = this.ids;
      const counts = zeroCounts();
      const snapshots: UserSnapshot[] = [];
      const created: UserSnapshot[] = [];
      const rejected: RejectedLine[] = [];
      const throughLine = rows[rows.length - 1].line;
      let decidedAll = false;
      // The lines are decided as the event store takes their events, so PostgreSQL writes the events of the lines
      // before while the next ones are decided. A dry run decides everything the same way and writes no user event.
      const decided = function* (): Generator<StreamAppend> {
        for (const { user, events } of repairs) {
          if (!record.dryRun) yield { streamType: 'user', streamId: user.userId, expectedVersion: user.version, events: envelope(events, USER_EVENT_SCHEMA_VERSIONS, ctx, now, ids) };
          snapshots.push({ ...(events.reduce(evolve, user) as ExistingUser), version: user.version + events.length, createdAt: user.createdAt, updatedAt: now });
        }
        for (const row of rows) {
          counts.rows += 1;
          const current = existing.get(row.emailKey);
          const outcome = decideImportRow(
            {
              line: row.line,
              email: row.email,
              name: row.name,
              firstName: row.firstName,
              lastName: row.lastName,
              title: row.title,
              mobile: row.mobile,
              enabled: row.enabled,
              newUserId: row.userId,
              manager: managerOf(row, existing),
              rejection: row.rejection ?? undefined,
            },
            current,
            { mode: record.mode, autoSendInvites: record.autoSendInvites, importId, networkId: record.networkId, now },
          );
          switch (outcome.kind) {
            case 'rejected':
              counts.rejected += 1;
              rejected.push({ line: row.line, email: row.email, error: outcome.reason, field: outcome.field ?? null, fields: cellsOf(row, record.columns) });
              break;
            case 'skipped':
              counts.skipped += 1;
              break;
            default: {
              counts[outcome.kind] += 1;
              if (outcome.activated) counts.activated += 1;
              if (outcome.deactivated) counts.deactivated += 1;
              if (outcome.events.length === 0) break;
              const version = current?.version ?? 0;
              if (!record.dryRun) {
                yield { streamType: 'user', streamId: outcome.next.userId, expectedVersion: version, events: envelope(outcome.events, USER_EVENT_SCHEMA_VERSIONS, ctx, now, ids) };
              }
              (current ? snapshots : created).push({
                ...outcome.next,
                version: version + outcome.events.length,
                createdAt: current?.createdAt ?? now,
                updatedAt: now,
              });
            }
          }
        }
        const importEvents = decideImport(
          { type: 'RecordBatch', data: { batch: record.batches + 1, fromLine: rows[0].line, throughLine, counts }, metadata: { now } },
          runningImportState(record),
        );
        yield { streamType: 'import', streamId: importId, expectedVersion: 1 + record.batches, events: envelope(importEvents, IMPORT_EVENT_SCHEMA_VERSIONS, ctx, now, ids) };
        decidedAll = true;
      };
      await this.events.append(tx, decided());
      if (!decidedAll) throw new Error('The event store returned before taking every event of the batch');
      if (!record.dryRun) {
        await this.projection.insert(tx, created);
        await this.projection.save(tx, snapshots);
      }
      await this.staging.reject(tx, importId, rejected);
      await this.imports.recordBatch(tx, importId, { counts, throughLine, now });
      return { counts, throughLine };
    });
  }

  /**
   * A new user of this file gets an id at staging, and lines naming them as manager point at that id. If someone
   * creates a user with that e-mail (an API call) before the line that creates them is applied, this import will
   * not create them: lines already applied would point at an id nobody has. They are pointed at the real user.
   * (Lines not yet applied are resolved by e-mail when applied: managerOf.)
   */
  private async repairManagerLinks(
    importId: string,
    network: string,
    rows: readonly StagedRowRecord[],
    existing: ReadonlyMap<string, UserSnapshot>,
  ): Promise<{ user: UserSnapshot; events: UserEvent[] }[]> {
    const orphaned = new Map<string, UserSnapshot>();
    for (const row of rows) {
      const taken = existing.get(row.emailKey);
      if (taken && taken.userId !== row.userId) orphaned.set(row.userId, taken);
    }
    if (orphaned.size === 0) return [];
    const links = await this.staging.managedBy(importId, [...orphaned.keys()], rows[0].line);
    if (links.length === 0) return [];
    const users = await this.users.findByEmailKeys(network, links.map((l) => l.emailKey));
    const repairs: { user: UserSnapshot; events: UserEvent[] }[] = [];
    for (const link of links) {
      const user = users.get(link.emailKey);
      const manager = orphaned.get(link.managerId)!;
      if (!user || user.managerId !== link.managerId) continue;
      const events = decide({ type: 'UpdateUser', data: { changes: {}, manager: { id: manager.userId, email: manager.email } }, metadata: { now: this.clock.now() } }, user);
      if (events.length > 0) repairs.push({ user, events });
    }
    return repairs;
  }
}

/** The row's manager: the user who now has the manager's e-mail, else the id the whole-file pass gave them. */
function managerOf(row: StagedRowRecord, existing: ReadonlyMap<string, UserSnapshot>): ManagerRef | undefined {
  if (!row.managerId || !row.managerEmail) return undefined;
  const actual = row.managerKey ? existing.get(row.managerKey) : undefined;
  return actual ? { id: actual.userId, email: actual.email } : { id: row.managerId, email: row.managerEmail };
}
