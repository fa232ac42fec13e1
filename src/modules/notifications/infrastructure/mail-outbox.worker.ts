import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { DeliverOutboxMail, type DrainSummary } from '../application/deliver-outbox-mail/deliver-outbox-mail.use-case.js';
import type { DrainScope } from '../application/ports/mail-outbox.port.js';
import { MailMetrics } from './mail-metrics.js';

export interface MailOutboxWorkerOptions {
  /** Off in processes that must not send on their own (a one-off CLI command can call drainOnce instead). */
  readonly enabled: boolean;
  /** Pause between two drains when the last one found nothing more to do. */
  readonly intervalMs: number;
  /** Most mails attempted by one drain, so a backlog never keeps a drain running indefinitely. */
  readonly batchSize: number;
}

export const MAIL_OUTBOX_WORKER_OPTIONS = Symbol('MAIL_OUTBOX_WORKER_OPTIONS');

export const DEFAULT_MAIL_OUTBOX_WORKER_OPTIONS: MailOutboxWorkerOptions = {
  enabled: true,
  intervalMs: 5_000,
  batchSize: 50,
};

/**
 * Drains the mail outbox in the background. Several instances may run it at once: the outbox hands each mail
 * to one of them. Drains never overlap within an instance. It stops at the first shutdown hook (module
 * destroy) and waits for the drain in progress, so the transport and the database it uses are still open.
 */
@Injectable()
export class MailOutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MailOutboxWorker.name);
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;

  constructor(
    private readonly delivery: DeliverOutboxMail,
    @Inject(MAIL_OUTBOX_WORKER_OPTIONS) private readonly options: MailOutboxWorkerOptions,
    @Optional() private readonly metrics?: MailMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.enabled) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One pass over what is due now; for tests, the CLI and operators who do not want to wait for the timer. */
  async drainOnce(scope: DrainScope = {}): Promise<DrainSummary> {
    const summary = await this.delivery.drain(scope, this.options.batchSize);
    this.metrics?.counted(summary);
    return summary;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.inFlight = this.tick();
    }, delayMs);
    // The HTTP server keeps a service alive; this timer alone must not keep a finished CLI command running.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let backlog = false;
    try {
      const summary = await this.drainOnce();
      backlog = summary.sent + summary.retrying + summary.failed >= this.options.batchSize;
    } catch (error) {
      const detail = error instanceof Error ? error.stack : String(error);
      this.logger.error(`Mail outbox drain failed; trying again in ${this.options.intervalMs} ms`, detail);
    }
    if (this.running) this.schedule(backlog ? 0 : this.options.intervalMs);
  }
}
