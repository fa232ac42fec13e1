import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore, type StreamAppend } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { UserProjection, UserReadModel, type UserSnapshot, userSnapshot } from '../../../users/application/ports/user-read-model.port.js';
import type { ManagerRef } from '../../../users/domain/user.commands.js';
import { USER_EVENT_SCHEMA_VERSIONS } from '../../../users/domain/user.events.js';
import { decideImport } from '../../domain/import.decider.js';
import { IMPORT_EVENT_SCHEMA_VERSIONS, zeroCounts } from '../../domain/import.events.js';
import { decideImportRow } from '../../domain/import-row-decision.js';
import { ENABLED_IGNORED_IN_SKIP_MODE, NAME_LEFT_AS_IT_WAS, enabledWouldChange, nameLeftBehind } from '../../domain/import-warnings.js';
import { importCommandContext, importStreamVersion, runningImportState } from '../import-record.context.js';
import {
  DryRunUsers,
  ImportManagerLinks,
  ImportRejections,
  ImportRepository,
  type ManagerNote,
  type RejectedLine,
  type WouldBeUser,
} from '../ports/import-store.port.js';
import { type LineProbe, SettledLines } from '../ports/settled-lines.port.js';
import { ImportCancelledError } from '../cancel-import/import-cancelled.error.js';
import { BatchOutOfTurnError, ImportBatchCommand, type ImportBatchOutcome } from './import-batch.command.js';

type ManagerCandidate = Pick<WouldBeUser, 'userId' | 'email'>;

@CommandHandler(ImportBatchCommand)
export class ImportBatchHandler implements ICommandHandler<ImportBatchCommand, ImportBatchOutcome> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly events: EventStore,
    private readonly imports: ImportRepository,
    private readonly rejections: ImportRejections,
    private readonly links: ImportManagerLinks,
    private readonly settledLines: SettledLines,
    private readonly dryRunUsers: DryRunUsers,
    private readonly users: UserReadModel,
    private readonly projection: UserProjection,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Decides the lines and writes them, then takes the import's lock, which waits for the batch before to commit, and
   * records the batch. Nothing is retried here: a batch that fails (an edit won a race, an e-mail was taken) fails
   * the one written alongside it too, and the caller decides both again.
   */
  async execute({ importId, lines, duplicateOf, turn, lookUpEveryLine }: ImportBatchCommand): Promise<ImportBatchOutcome> {
    // What the decisions read of the import never changes; its progress is read under its lock, at the end.
    const record = await this.imports.getById(importId);
    if (!record) throw new Error(`Import ${importId} does not exist`);
    const network = record.networkId;
    // A dry run inserts nothing that could fail on an e-mail taken meanwhile: it always looks up every line.
    const ownEmails = lookUpEveryLine || record.dryRun;
    // The users are read before the transaction and without row locks. Locking their rows first and inserting
    // their events second deadlocks with an API edit, which inserts its event first and updates the row second.
    // Nothing is lost without the lock: the events' unique (stream, version) is the optimistic check, so an edit
    // committed since this read makes the append throw ConcurrencyConflictError, and the batch is decided again.
    // Lines whose outcome needs nothing of their user (skip mode: the user exists; update mode: the line changes
    // nothing) are settled in the database, without reading their users back.
    const probes: LineProbe[] = [];
    if (ownEmails) {
      for (let i = 0; i < lines.count; i++) {
        if (lines.emailKeyAt(i) === undefined || duplicateOf.has(lines.lineAt(i))) continue;
        const line = lines.read(i);
        if (line.kind !== 'row') continue;
        const { row } = line;
        probes.push({ at: i, emailKey: row.emailKey, name: row.name, firstName: row.firstName, lastName: row.lastName, title: row.title, mobile: row.mobile, managerKey: row.managerKey, enabled: row.enabled });
      }
    }
    const { lines: settled, enabledIgnored: settledEnabledIgnored } = await this.settledLines.settle(network, record.mode, probes);
    const keys = new Set<string>();
    const managerKeys = new Set<string>();
    for (let i = 0; i < lines.count; i++) {
      const key = lines.emailKeyAt(i);
      if (key === undefined || settled.has(i) || duplicateOf.has(lines.lineAt(i))) continue;
      if (ownEmails) keys.add(key);
      const managerKey = lines.managerKeyAt(i);
      if (managerKey !== undefined) managerKeys.add(managerKey);
    }
    const found = await this.users.findByEmailKeys(network, [...new Set([...keys, ...managerKeys])]);
    // A dry run's earlier batches created nobody: the users they would have created stand in for them as managers.
    const wouldBe: ReadonlyMap<string, ManagerCandidate> = record.dryRun
      ? await this.dryRunUsers.findByEmailKeys(importId, [...managerKeys].filter((k) => !found.has(k)))
      : new Map();

    return this.uow.transaction(async (tx) => {
      // The next batch starts once this one's lines are decided, and may write before this one does (when this one
      // changes nothing, its first write is the import's event): its import event must still come after this one's.
      await this.events.takePlaceInOrder(tx);
      const ctx = importCommandContext(record);
      const now = this.clock.now();
      const ids = this.ids;
      const projection = this.projection;
      const options = { mode: record.mode, autoSendInvites: record.autoSendInvites, importId, networkId: network, now };
      const counts = zeroCounts();
      let enabledIgnored = settledEnabledIgnored;
      let namesLeftBehind = false;
      const updated: UserSnapshot[] = [];
      // New users go straight into their encoded rows; a dry run keeps what later lines need to name them as manager.
      const created = record.dryRun ? undefined : projection.newRows();
      const wouldBeCreated: WouldBeUser[] = [];
      const createdHere = new Map<string, ManagerCandidate>();
      const rejected: RejectedLine[] = [];
      const notes: ManagerNote[] = [];
      const fromLine = lines.lineAt(0);
      const throughLine = lines.lineAt(lines.count - 1);
      let decidedAll = false;

      // The lines are decided as the event store takes their events, so PostgreSQL writes the events of the lines
      // before while the next ones are decided. A dry run decides everything the same way and writes no user event.
      const decided = function* (): Generator<StreamAppend> {
        for (let i = 0; i < lines.count; i++) {
          if (settled.has(i)) {
            counts.rows += 1;
            counts[record.mode === 'skip' ? 'skipped' : 'unchanged'] += 1;
            continue;
          }
          // Read here, one line at a time: its objects die young, while the line is decided and written.
          const line = lines.read(i);
          if (line.kind === 'rejected') {
            counts.rows += 1;
            counts.rejected += 1;
            rejected.push(line.rejected);
            continue;
          }
          const { row } = line;
          const firstLine = duplicateOf.get(row.line);
          const current = firstLine === undefined ? found.get(row.emailKey) : undefined;
          // The manager, if the line names one: a user of the network or one created by an earlier line, given to
          // a new user at once. A manager not known yet (maybe on a later line), or a new manager for an existing
          // user (who may have people under them, so the link could close a cycle), waits for the whole file.
          let manager: ManagerRef | undefined;
          let waits = false;
          const self = row.managerKey !== undefined && row.managerKey === row.emailKey;
          if (row.managerKey !== undefined && !self) {
            const known =
              createdHere.get(row.managerKey) ?? turn.earlierCreated.get(row.managerKey) ?? found.get(row.managerKey) ?? wouldBe.get(row.managerKey);
            if (known && !current) manager = { id: known.userId, email: known.email };
            else waits = !known || known.userId !== current?.managerId;
          }
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
              newUserId: current || row.enabled === false || firstLine !== undefined ? undefined : ids.newId(),
              manager,
              duplicateOf: firstLine,
            },
            current,
            options,
          );
          if (outcome.kind === 'rejected') {
            counts.rows += 1;
            counts.rejected += 1;
            rejected.push({ line: row.line, email: row.email, error: outcome.reason, field: outcome.field ?? null, fields: row.fields });
            continue;
          }
          if (outcome.kind === 'skipped') {
            counts.rows += 1;
            counts.skipped += 1;
            if (current && enabledWouldChange(row.enabled, current.status)) enabledIgnored += 1;
            continue;
          }
          const userId = outcome.next.userId;
          if (self) notes.push({ line: row.line, userId, managerKey: row.managerKey!, kind: 'self', outcomePending: false, newUser: !current });
          if (waits) {
            // A user who existed and whom the line changes in nothing but the manager is counted once the link is decided.
            const outcomePending = outcome.kind === 'unchanged';
            notes.push({ line: row.line, userId, managerKey: row.managerKey!, kind: 'link', outcomePending, newUser: !current });
            if (outcomePending) continue;
          }
          if (current && outcome.kind === 'updated' && !namesLeftBehind) namesLeftBehind = nameLeftBehind(current, outcome.next);
          counts.rows += 1;
          counts[outcome.kind] += 1;
          if (outcome.activated) counts.activated += 1;
          if (outcome.deactivated) counts.deactivated += 1;
          if (outcome.events.length === 0) continue;
          const version = current?.version ?? 0;
          if (!record.dryRun) {
            yield { streamType: 'user', streamId: userId, expectedVersion: version, events: envelope(outcome.events, USER_EVENT_SCHEMA_VERSIONS, ctx, now, ids) };
          }
          const snapshot = userSnapshot(outcome.next, version + outcome.events.length, current?.createdAt ?? now, now);
          if (current) {
            updated.push(snapshot);
          } else {
            if (created) created.add(snapshot);
            else wouldBeCreated.push({ userId, email: snapshot.email, managerId: snapshot.managerId });
            createdHere.set(row.emailKey, { userId, email: snapshot.email });
          }
        }
        decidedAll = true;
        turn.onDecided?.(createdHere);
      };
      await this.events.append(tx, decided());
      if (!decidedAll) throw new Error('The event store returned before taking every event of the batch');
      if (created) {
        await this.projection.insert(tx, created);
        await this.projection.save(tx, updated);
      } else {
        await this.dryRunUsers.add(tx, importId, wouldBeCreated);
      }
      await this.rejections.reject(tx, importId, rejected);
      await this.links.note(tx, importId, notes);
      // The import's lock: held by the batch before until it commits, once that one has taken it.
      await turn.beforeLocking;
      const progress = await this.imports.getById(importId, tx);
      if (!progress) throw new Error(`Import ${importId} does not exist`);
      turn.onLocked?.();
      // Read under the import's lock: a cancel requested before this point stops this batch, one after it the next.
      if (progress.cancelRequestedBy !== null) throw new ImportCancelledError();
      if (progress.appliedThrough !== turn.afterLine) {
        throw new BatchOutOfTurnError(`The batch before line ${fromLine} did not commit (the import is applied through line ${progress.appliedThrough}).`);
      }
      const importEvents = decideImport(
        { type: 'RecordBatch', data: { batch: progress.batches + 1, fromLine, throughLine, counts }, metadata: { now } },
        runningImportState(progress),
      );
      await this.events.append(tx, [
        { streamType: 'import', streamId: importId, expectedVersion: importStreamVersion(progress), events: envelope(importEvents, IMPORT_EVENT_SCHEMA_VERSIONS, ctx, now, ids) },
      ]);
      const warnings = [...(enabledIgnored > 0 ? [ENABLED_IGNORED_IN_SKIP_MODE] : []), ...(namesLeftBehind ? [NAME_LEFT_AS_IT_WAS] : [])];
      await this.imports.recordBatch(tx, importId, { counts, throughLine, now, warnings });
      return { counts, throughLine };
    });
  }
}
