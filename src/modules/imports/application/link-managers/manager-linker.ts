import { Inject, Injectable } from '@nestjs/common';
import { ConcurrencyConflictError } from '../../../../shared/application/application-errors.js';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore, type StreamAppend } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { ManagementChainLock } from '../../../users/application/ports/management-chain-lock.port.js';
import { UserProjection, UserReadModel, type UserSnapshot, userSnapshot } from '../../../users/application/ports/user-read-model.port.js';
import { decide, evolve, type ExistingUser } from '../../../users/domain/user.decider.js';
import { USER_EVENT_SCHEMA_VERSIONS } from '../../../users/domain/user.events.js';
import { decideImport } from '../../domain/import.decider.js';
import { IMPORT_EVENT_SCHEMA_VERSIONS } from '../../domain/import.events.js';
import { decideManagerLinks } from '../../domain/manager-links.js';
import { importCommandContext, importStreamVersion, runningImportState } from '../import-record.context.js';
import { IMPORT_SETTINGS, type ImportSettings } from '../import-settings.js';
import { ImportCancelledError } from '../cancel-import/import-cancelled.error.js';
import { ImportManagerLinks, ImportRepository, type ImportRecord, type LinkToMake } from '../ports/import-store.port.js';

const MAX_CONFLICTS = 12;

/**
 * The import's last step: the manager links that had to wait for the whole file are decided at once, in file order
 * (decideManagerLinks), then the ones to make are applied in batches through the user decider. Both steps are
 * durable: the decisions commit with ImportManagersLinked, and each batch marks the links it made.
 */
@Injectable()
export class ManagerLinker {
  constructor(
    private readonly imports: ImportRepository,
    private readonly links: ImportManagerLinks,
    private readonly users: UserReadModel,
    private readonly projection: UserProjection,
    private readonly chain: ManagementChainLock,
    private readonly events: EventStore,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(IMPORT_SETTINGS) private readonly settings: ImportSettings,
  ) {}

  async link(record: ImportRecord, onProgress: (done: number, total: number | null) => void): Promise<void> {
    // A dry run writes no link: nothing a change of manager could make a cycle with.
    if (record.dryRun) {
      if (!record.managersLinked) await this.decide(record);
      return;
    }
    // A change of manager made through the API between the decisions and the links made would be seen by neither:
    // the two together could close a cycle. It waits instead (ManagementChainLock).
    await this.chain.holdDuring(record.networkId, async () => {
      await this.stopIfCancelled(record.id);
      const made = record.managersLinked ? 0 : await this.decide(record);
      await this.makeDecided(record, made, onProgress);
    });
  }

  /** Between two batches of links: a cancel requested meanwhile stops the import before the next. */
  private async stopIfCancelled(importId: string): Promise<void> {
    if ((await this.imports.getById(importId))?.cancelRequestedBy) throw new ImportCancelledError();
  }

  private async makeDecided(record: ImportRecord, made: number, onProgress: (done: number, total: number | null) => void): Promise<void> {
    let done = 0;
    let conflicts = 0;
    let size = this.settings.batchSize;
    for (let after = 0; ; ) {
      await this.stopIfCancelled(record.id);
      const batch = await this.links.toMake(record.id, after, size);
      if (batch.length === 0) return;
      try {
        await this.make(record, batch);
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || ++conflicts > MAX_CONFLICTS) throw error;
        size = Math.max(1, Math.ceil(size / 2));
        continue;
      }
      after = batch[batch.length - 1].line;
      done += batch.length;
      onProgress(done, made || null);
    }
  }

  /** Decides every waiting link and counts the lines whose outcome waited on theirs; returns the links to make. */
  private async decide(record: ImportRecord): Promise<number> {
    return this.uow.transaction(async (tx) => {
      const current = (await this.imports.getById(record.id, tx))!;
      if (current.managersLinked) return 0;
      const waiting = await this.links.waiting(tx, record.id, record.networkId, record.dryRun);
      const decisions = waiting ? decideManagerLinks(waiting.graph) : [];
      const made = decisions.filter((d) => d === 'made').length;
      const now = this.clock.now();
      const counts = await this.links.decide(tx, record.id, waiting?.lines ?? new Int32Array(0), decisions);
      const events = decideImport(
        {
          type: 'RecordManagerLinks',
          data: { made, unknown: decisions.filter((d) => d === 'unknown').length, cycles: decisions.filter((d) => d === 'cycle').length, counts },
          metadata: { now },
        },
        runningImportState(current),
      );
      await this.events.append(tx, [
        {
          streamType: 'import',
          streamId: record.id,
          expectedVersion: importStreamVersion(current),
          events: envelope(events, IMPORT_EVENT_SCHEMA_VERSIONS, importCommandContext(current), now, this.ids),
        },
      ]);
      await this.imports.recordLinks(tx, record.id, counts, now);
      return made;
    });
  }

  /** Gives each user their manager through the user decider, on the user's current state. */
  private async make(record: ImportRecord, batch: readonly LinkToMake[]): Promise<void> {
    const current = await this.users.findByIds(record.networkId, batch.map((l) => l.userId));
    await this.uow.transaction(async (tx) => {
      const now = this.clock.now();
      const ctx = importCommandContext(record);
      const saved: UserSnapshot[] = [];
      const appends: StreamAppend[] = [];
      for (const link of batch) {
        const user = current.get(link.userId);
        if (!user) continue;
        const events = decide({ type: 'UpdateUser', data: { changes: {}, manager: { id: link.managerId, email: link.managerEmail } }, metadata: { now } }, user);
        if (events.length === 0) continue;
        appends.push({ streamType: 'user', streamId: user.userId, expectedVersion: user.version, events: envelope(events, USER_EVENT_SCHEMA_VERSIONS, ctx, now, this.ids) });
        saved.push(userSnapshot(events.reduce(evolve, user) as ExistingUser, user.version + events.length, user.createdAt, now));
      }
      if (appends.length > 0) await this.events.append(tx, appends);
      await this.projection.save(tx, saved);
      await this.links.markMade(tx, record.id, batch.map((l) => l.line));
    });
  }
}
