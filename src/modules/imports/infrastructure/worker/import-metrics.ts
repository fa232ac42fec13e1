import { Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Metrics } from '../../../../shared/infrastructure/observability/metrics.js';
import { importLockKey } from '../../application/ports/network-lock.port.js';
import type { ImportRecord } from '../../application/ports/import-store.port.js';
import { PostgresAdvisoryLock } from './postgres-advisory-lock.adapter.js';

const OUTCOMES = ['created', 'updated', 'unchanged', 'skipped', 'rejected'] as const;

/**
 * What an operator alerts on: the imports waiting or running, and those no instance is processing (read from the
 * database when scraped, so every instance shows the same); and the imports this instance finished, with their
 * lines by outcome. Registered only where the process has a metrics registry (the service, not the CLI).
 */
@Injectable()
export class ImportMetrics {
  private readonly finishedImports?: Counter<'status' | 'dry_run'>;
  private readonly lines?: Counter<'outcome'>;

  constructor(dataSource: DataSource, @Optional() metrics?: Metrics) {
    if (!metrics) return;
    const registers = [metrics.registry];
    this.finishedImports = new Counter({
      name: 'imports_finished_total',
      help: "Imports ended by this instance's import worker, by status (completed, failed) and whether they were dry runs",
      labelNames: ['status', 'dry_run'] as const,
      registers,
    });
    this.lines = new Counter({
      name: 'import_lines_total',
      help: "Data lines of the imports ended by this instance's import worker (dry runs aside), by outcome: created, updated, unchanged, skipped, rejected",
      labelNames: ['outcome'] as const,
      registers,
    });
    // Both read through the partial index on unfinished imports: the table keeps every import ever made.
    new Gauge({
      name: 'imports_unfinished',
      help: 'Imports not ended, by status: queued (not started), running',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const rows = await dataSource.query<{ status: string; count: number }[]>(
          `SELECT status, count(*)::int AS count FROM imports WHERE status IN ('queued', 'running') GROUP BY status`,
        );
        for (const status of ['queued', 'running']) this.set({ status }, rows.find((r) => r.status === status)?.count ?? 0);
      },
    });
    new Gauge({
      name: 'imports_unattended',
      help:
        'Imports not ended whose network no instance is importing into (nobody holds its import lock): 0 but for a moment ' +
        'when an instance runs the import worker; above 0 for long, no instance does, and they wait',
      registers,
      async collect() {
        const [row] = await dataSource.query<{ count: number }[]>(
          `SELECT count(*)::int AS count FROM imports
            WHERE status IN ('queued', 'running') AND NOT ${PostgresAdvisoryLock.heldCondition(`$1 || network_id`)}`,
          [importLockKey('')],
        );
        this.set(row.count);
      },
    });
  }

  finished(record: ImportRecord): void {
    if (record.status !== 'completed' && record.status !== 'failed') return;
    this.finishedImports?.inc({ status: record.status, dry_run: String(record.dryRun) });
    if (record.dryRun) return;
    for (const outcome of OUTCOMES) this.lines?.inc({ outcome }, record.counts[outcome]);
  }
}
