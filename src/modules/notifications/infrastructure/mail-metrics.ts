import { Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Metrics } from '../../../shared/infrastructure/observability/metrics.js';
import type { DrainSummary } from '../application/deliver-outbox-mail/deliver-outbox-mail.use-case.js';

/**
 * What an operator alerts on: mails waiting (and for how long) or given up on, read from the outbox when scraped,
 * so every instance shows the same; and this instance's delivery attempts by outcome. Registered only where the
 * process has a metrics registry (the service, not a bare notifications module in a test).
 */
@Injectable()
export class MailMetrics {
  private readonly deliveries?: Counter<'outcome'>;

  constructor(dataSource: DataSource, @Optional() metrics?: Metrics) {
    if (!metrics) return;
    const registers = [metrics.registry];
    this.deliveries = new Counter({
      name: 'mail_deliveries_total',
      help: 'Mail delivery attempts by this instance, by outcome: sent, retrying (failed, tried again later), failed (given up)',
      labelNames: ['outcome'] as const,
      registers,
    });
    new Gauge({
      name: 'mail_outbox_messages',
      help: 'Mails in the outbox by status: pending (waiting to be sent or retried), sent, failed (given up)',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const rows = await dataSource.query<{ status: string; count: number }[]>(`SELECT status, count(*)::int AS count FROM mail_outbox GROUP BY status`);
        this.reset();
        for (const status of ['pending', 'sent', 'failed']) this.set({ status }, rows.find((r) => r.status === status)?.count ?? 0);
      },
    });
    new Gauge({
      name: 'mail_outbox_oldest_pending_seconds',
      help: 'Age of the oldest mail still waiting to be sent (0 when none waits)',
      registers,
      async collect() {
        const [row] = await dataSource.query<{ age: number | null }[]>(
          `SELECT extract(epoch FROM now() - min(created_at))::float8 AS age FROM mail_outbox WHERE status = 'pending'`,
        );
        this.set(row?.age ?? 0);
      },
    });
  }

  counted(summary: DrainSummary): void {
    this.deliveries?.inc({ outcome: 'sent' }, summary.sent);
    this.deliveries?.inc({ outcome: 'retrying' }, summary.retrying);
    this.deliveries?.inc({ outcome: 'failed' }, summary.failed);
  }
}
