import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../../../shared/infrastructure/config/app-config.js';
import { ImportProcessor } from '../../application/process-import/import-processor.js';
import { ImportRepository } from '../../application/ports/import-store.port.js';
import { DistributedLock, importLockKey } from '../../application/ports/network-lock.port.js';
import { SweepImportFilesCommand } from '../../application/sweep-import-files/sweep-import-files.command.js';
import { ImportMetrics } from './import-metrics.js';

const POLL_MS = 1_000;
const MAX_PARALLEL = 2;
const MAX_ATTEMPTS = 5;
const SWEEP_MS = 60 * 60 * 1000;

/**
 * Picks up queued imports and ones whose instance died. One import per network at a time across all instances
 * (a PostgreSQL advisory lock per network), so two imports never interleave their decisions on the same user.
 * At start and every hour, deletes the uploaded files a dead process left behind.
 */
@Injectable()
export class ImportWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('import-worker');
  private timer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private readonly busyNetworks = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** Failed attempts per import and when it may be tried again (exponential back-off, up to a minute). */
  private readonly attempts = new Map<string, { count: number; retryAt: number }>();
  private stopped = false;
  private ticking = false;
  /** Aborted at shutdown: each running import stops after the batch being written, for the next process to resume. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly imports: ImportRepository,
    private readonly processor: ImportProcessor,
    private readonly locks: DistributedLock,
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: ImportMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.imports.workerEnabled) return;
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.wake();
    this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.sweepTimer);
    this.stopping.abort();
    await Promise.allSettled([...this.running, this.sweeping]);
  }

  /** Looks for work now rather than at the next poll (called right after an upload). */
  wake(): void {
    if (this.stopped || this.ticking || !this.config.imports.workerEnabled) return;
    this.ticking = true;
    this.tick()
      .catch((error: unknown) => this.logger.error({ err: error }, 'could not look for imports'))
      .finally(() => (this.ticking = false));
  }

  private sweep(): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = this.commands
      .execute(new SweepImportFilesCommand())
      .then(
        (deleted) => {
          if (deleted.length > 0) this.logger.log({ importIds: deleted }, 'deleted uploaded files left behind by a process that died');
        },
        (error: unknown) => this.logger.error({ err: error }, 'could not delete the uploaded files left behind'),
      )
      .finally(() => (this.sweeping = undefined));
  }

  private async tick(): Promise<void> {
    for (const { importId, networkId } of await this.imports.pending()) {
      if (this.running.size >= MAX_PARALLEL) return;
      if (this.busyNetworks.has(networkId) || (this.attempts.get(importId)?.retryAt ?? 0) > Date.now()) continue;
      const lock = await this.locks.tryAcquire(importLockKey(networkId));
      if (!lock) continue;
      this.busyNetworks.add(networkId);
      const job = this.run(importId)
        .finally(async () => {
          this.busyNetworks.delete(networkId);
          await lock.release();
        })
        .finally(() => {
          this.running.delete(job);
          this.wake();
        });
      this.running.add(job);
    }
  }

  private async run(importId: string): Promise<void> {
    try {
      const result = await this.processor.process(importId, undefined, this.stopping.signal);
      this.attempts.delete(importId);
      this.metrics?.finished(result);
      this.logger.log({ importId, status: result.status, counts: result.counts }, 'import finished');
    } catch (error) {
      if (this.stopping.signal.aborted) {
        this.logger.log({ importId }, 'import paused for shutdown; the next instance to look resumes it after its last batch');
        return;
      }
      const attempts = (this.attempts.get(importId)?.count ?? 0) + 1;
      this.attempts.set(importId, { count: attempts, retryAt: Date.now() + Math.min(60_000, 1_000 * 2 ** attempts) });
      this.logger.error({ err: error, importId, attempts }, 'import stopped; it will resume from its last batch');
      if (attempts >= MAX_ATTEMPTS) {
        this.attempts.delete(importId);
        await this.processor
          .giveUp(importId, 'The import kept failing on our side and was stopped. Nothing after the last applied batch was changed; upload the file again, and contact support if it happens again.')
          .then((record) => this.metrics?.finished(record))
          .catch((e: unknown) => this.logger.error({ err: e, importId }, 'could not mark the import failed'));
      }
    }
  }
}
