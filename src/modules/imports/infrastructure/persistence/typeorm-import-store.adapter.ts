import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { BulkLoader } from '../../../../shared/infrastructure/database/bulk-loader.js';
import { ValidationError } from '../../../../shared/application/application-errors.js';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { addCounts, type ImportCountsData, type ImportMode, zeroCounts } from '../../domain/import.events.js';
import {
  type ColumnMapping,
  type ImportPage,
  type ImportRecord,
  ImportRepository,
  ImportStaging,
  type NewImport,
  type RejectedLine,
  type ResolvedFile,
  type StagedRowRecord,
  type StagingArea,
} from '../../application/ports/import-store.port.js';
import { dropStagedTable, MAX_STORED_WARNINGS, PostgresStagingArea } from './postgres-staging-area.js';

interface ImportRow {
  id: string;
  network_id: string;
  status: ImportRecord['status'];
  phase: ImportRecord['phase'];
  mode: ImportMode;
  auto_send_invites: boolean;
  dry_run: boolean;
  file_name: string;
  sha256: string;
  size_bytes: string;
  counts: ImportCountsData;
  columns: ColumnMapping[];
  warnings: string[];
  warning_count: number;
  failure_reason: string | null;
  requested_by_id: string;
  requested_by_email: string | null;
  notify_email: string | null;
  total_rows: number;
  applied_through: number;
  batches: number;
  correlation_id: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

function toRecord(r: ImportRow): ImportRecord {
  const warnings = r.warning_count > r.warnings.length ? [...r.warnings, `… and ${r.warning_count - r.warnings.length} more warnings.`] : r.warnings;
  return {
    id: r.id,
    networkId: r.network_id,
    status: r.status,
    phase: r.phase,
    mode: r.mode,
    autoSendInvites: r.auto_send_invites,
    dryRun: r.dry_run,
    fileName: r.file_name,
    sha256: r.sha256,
    sizeBytes: Number(r.size_bytes),
    counts: { ...zeroCounts(), ...r.counts },
    warnings,
    ...(r.failure_reason ? { failureReason: r.failure_reason } : {}),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    columns: r.columns,
    requestedBy: { id: r.requested_by_id, email: r.requested_by_email },
    notifyEmail: r.notify_email,
    correlationId: r.correlation_id,
    appliedThrough: r.applied_through,
    batches: r.batches,
    totalRows: r.total_rows,
    warningCount: r.warning_count,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

const encodeCursor = (r: ImportRecord): string => Buffer.from(`${r.createdAt}|${r.id}`, 'utf8').toString('base64url');
function decodeCursor(cursor: string): [string, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ValidationError('This cursor was not given by this API; start again without it.', 'cursor');
  }
  return [at, id];
}

/** Imports in PostgreSQL: the report and job state, staged rows and rejected lines, all set-based. */
@Injectable()
export class TypeormImportStore implements ImportRepository, ImportStaging {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bulk: BulkLoader,
    private readonly ids: IdGenerator,
  ) {}

  async create(tx: Transaction, n: NewImport): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(
      `INSERT INTO imports (id, network_id, status, phase, mode, auto_send_invites, dry_run, file_name, sha256, size_bytes, counts,
                            requested_by_id, requested_by_email, notify_email, correlation_id, created_at, updated_at)
       VALUES ($1, $2, 'queued', 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
      [n.id, n.networkId, n.mode, n.autoSendInvites, n.dryRun, n.fileName, n.sha256, n.sizeBytes, JSON.stringify(zeroCounts()),
        n.requestedBy.id, n.requestedBy.email, n.notifyEmail, n.correlationId, n.createdAt],
    );
  }

  async get(networkId: string, importId: string): Promise<ImportRecord | null> {
    const rows = await this.dataSource.query<ImportRow[]>(`SELECT * FROM imports WHERE network_id = $1 AND id = $2`, [networkId, importId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async getById(importId: string, tx?: Transaction): Promise<ImportRecord | null> {
    const rows = await sqlRunner(this.dataSource, tx).query<ImportRow>(
      `SELECT * FROM imports WHERE id = $1${tx ? ' FOR UPDATE' : ''}`,
      [importId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(networkId: string, after: string | undefined, limit: number): Promise<ImportPage> {
    const params: unknown[] = [networkId, limit + 1];
    let where = 'network_id = $1';
    if (after) {
      params.push(...decodeCursor(after));
      where += ' AND (created_at, id) < ($3::timestamptz, $4::uuid)';
    }
    const rows = await this.dataSource.query<ImportRow[]>(
      `SELECT * FROM imports WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    const items = rows.slice(0, limit).map(toRecord);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
  }

  async pending(): Promise<{ importId: string; networkId: string }[]> {
    const rows = await this.dataSource.query<{ id: string; network_id: string }[]>(
      `SELECT id, network_id FROM imports WHERE status IN ('queued', 'running') ORDER BY created_at LIMIT 100`,
    );
    return rows.map((r) => ({ importId: r.id, networkId: r.network_id }));
  }

  async beginStaging(importId: string, now: Date): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM import_rows WHERE import_id = $1`, [importId]);
      await m.query(`DELETE FROM import_rejections WHERE import_id = $1`, [importId]);
      await m.query(
        `UPDATE imports SET status = 'running', phase = 'staging', started_at = coalesce(started_at, $2), updated_at = $2 WHERE id = $1`,
        [importId, now],
      );
    });
  }

  async finishStaging(
    tx: Transaction,
    importId: string,
    o: {
      columns: readonly ColumnMapping[];
      warnings: readonly string[];
      warningCount: number;
      rejectedLines: number;
      settled: ResolvedFile['settled'];
      totalRows: number;
    },
  ): Promise<void> {
    // Lines that never reach ImportBatch are counted here: rejected while reading, or settled by the whole-file pass.
    const counts = {
      ...zeroCounts(),
      rows: o.rejectedLines + o.settled.skipped + o.settled.unchanged,
      rejected: o.rejectedLines,
      skipped: o.settled.skipped,
      unchanged: o.settled.unchanged,
    };
    await sqlRunner(this.dataSource, tx).query(
      `UPDATE imports SET phase = 'applying', columns = $2, warnings = $3, warning_count = $4, counts = $5, total_rows = $6 WHERE id = $1`,
      [importId, JSON.stringify(o.columns), JSON.stringify(o.warnings.slice(0, MAX_STORED_WARNINGS)), o.warningCount, JSON.stringify(counts), o.totalRows],
    );
  }

  async recordBatch(tx: Transaction, importId: string, b: { counts: ImportCountsData; throughLine: number; now: Date }): Promise<void> {
    const sql = sqlRunner(this.dataSource, tx);
    const [row] = await sql.query<{ counts: ImportCountsData }>(`SELECT counts FROM imports WHERE id = $1`, [importId]);
    await sql.query(
      `UPDATE imports SET counts = $2, applied_through = $3, batches = batches + 1, updated_at = $4 WHERE id = $1`,
      [importId, JSON.stringify(addCounts({ ...zeroCounts(), ...row.counts }, b.counts)), b.throughLine, b.now],
    );
  }

  async finish(tx: Transaction, importId: string, o: { status: 'completed' | 'failed'; failureReason?: string; now: Date }): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(
      `UPDATE imports SET status = $2, phase = 'done', failure_reason = $3, finished_at = $4, updated_at = $4,
                          started_at = coalesce(started_at, $4) WHERE id = $1`,
      [importId, o.status, o.failureReason ?? null, o.now],
    );
  }

  open(importId: string): Promise<StagingArea> {
    return PostgresStagingArea.open(importId, this.dataSource.createQueryRunner(), {
      bulk: this.bulk,
      ids: this.ids,
      keepRejections: (rejected) => this.insertRejections(undefined, importId, rejected),
    });
  }

  async reject(tx: Transaction, importId: string, rejected: readonly RejectedLine[]): Promise<void> {
    await this.insertRejections(tx, importId, rejected);
  }

  private async insertRejections(tx: Transaction | undefined, importId: string, rejected: readonly RejectedLine[]): Promise<void> {
    if (rejected.length === 0) return;
    await sqlRunner(this.dataSource, tx).query(
      `INSERT INTO import_rejections (import_id, line, email, error, field, fields)
       SELECT $1, line, email, error, field, fields FROM json_to_recordset($2::json) AS x(line int, email text, error text, field text, fields jsonb)
       ON CONFLICT (import_id, line) DO NOTHING`,
      [importId, JSON.stringify(rejected)],
    );
  }

  async batch(importId: string, afterLine: number, limit: number): Promise<StagedRowRecord[]> {
    const rows = await this.dataSource.query<
      {
        line: number; email: string; email_key: string; name: string | null; first_name: string | null; last_name: string | null;
        title: string | null; mobile: string | null; manager_key: string | null; enabled: boolean | null; user_id: string;
        manager_id: string | null; manager_email: string | null; rejection: string | null; cells: string | null; existing: boolean;
      }[]
    >(
      `SELECT line, email, email_key, name, first_name, last_name, title, mobile, manager_key, enabled, user_id, existing, manager_id, manager_email, rejection, cells
         FROM import_rows WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
      [importId, afterLine, limit],
    );
    return rows.map((r) => ({
      line: r.line,
      email: r.email,
      emailKey: r.email_key,
      name: r.name ?? undefined,
      firstName: r.first_name ?? undefined,
      lastName: r.last_name ?? undefined,
      title: r.title ?? undefined,
      mobile: r.mobile ?? undefined,
      managerKey: r.manager_key ?? undefined,
      enabled: r.enabled,
      userId: r.user_id,
      existing: r.existing,
      managerId: r.manager_id,
      managerEmail: r.manager_email,
      rejection: r.rejection,
      ...(r.cells === null ? {} : { fields: JSON.parse(r.cells) as string[] }),
    }));
  }

  async managedBy(importId: string, managerIds: readonly string[], beforeLine: number): Promise<{ line: number; emailKey: string; managerId: string }[]> {
    if (managerIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT line, email_key AS "emailKey", manager_id AS "managerId" FROM import_rows
        WHERE import_id = $1 AND manager_id = ANY($2::uuid[]) AND line < $3 AND rejection IS NULL ORDER BY line`,
      [importId, managerIds, beforeLine],
    );
  }

  async rejections(networkId: string, importId: string, afterLine: number, limit: number): Promise<RejectedLine[]> {
    return this.dataSource.query<RejectedLine[]>(
      `SELECT j.line, j.email, j.error, j.field, j.fields FROM import_rejections j JOIN imports i ON i.id = j.import_id
        WHERE i.network_id = $1 AND j.import_id = $2 AND j.line > $3 ORDER BY j.line LIMIT $4`,
      [networkId, importId, afterLine, limit],
    );
  }

  async purge(tx: Transaction, importId: string): Promise<void> {
    const sql = sqlRunner(this.dataSource, tx);
    await sql.query(`DELETE FROM import_rows WHERE import_id = $1`, [importId]);
    // Left behind when a process died while reading the file and the import was then given up.
    await dropStagedTable(sql, importId);
  }
}
