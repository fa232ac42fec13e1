import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { storableJson } from '../../../../shared/infrastructure/database/storable-text.js';
import { sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { openCursor, sealCursor } from '../../../../shared/infrastructure/database/sealed-cursors.js';
import type { CsvDelimiter } from '../../domain/csv-record.js';
import { addCounts, type ImportCountsData, type ImportMode, zeroCounts } from '../../domain/import.events.js';
import {
  type ColumnMapping,
  type HeadingLine,
  type ImportPage,
  type ImportRecord,
  ImportRejections,
  ImportRepository,
  type NewImport,
  type RejectedLine,
} from '../../application/ports/import-store.port.js';

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
  file_lines: number;
  counts: ImportCountsData;
  columns: ColumnMapping[];
  delimiter: CsvDelimiter | null;
  warnings: string[];
  warning_count: number;
  failure_reason: string | null;
  requested_by_id: string;
  requested_by_email: string | null;
  notify_email: string | null;
  total_rows: number | null;
  applied_through: number;
  batches: number;
  managers_linked: boolean;
  correlation_id: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  cancel_requested_by: string | null;
  invitations_requested_at: Date | null;
  invitations_requested_by: string | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

function toRecord(r: ImportRow): ImportRecord {
  const warnings = r.warning_count > r.warnings.length ? [...r.warnings, `… and ${(r.warning_count - r.warnings.length).toLocaleString('en-US')} more warnings.`] : r.warnings;
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
    fileLines: r.file_lines,
    counts: { ...zeroCounts(), ...r.counts },
    warnings,
    ...(r.failure_reason ? { failureReason: r.failure_reason } : {}),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    columns: r.columns,
    delimiter: r.delimiter ?? ',',
    requestedBy: { id: r.requested_by_id, email: r.requested_by_email },
    notifyEmail: r.notify_email,
    correlationId: r.correlation_id,
    appliedThrough: r.applied_through,
    batches: r.batches,
    managersLinked: r.managers_linked,
    totalRows: r.total_rows,
    warningCount: r.warning_count,
    createdAt: new Date(r.created_at).toISOString(),
    cancelRequestedBy: r.cancel_requested_by,
    invitationsRequested:
      r.invitations_requested_at && r.invitations_requested_by !== null ? { at: iso(r.invitations_requested_at)!, by: r.invitations_requested_by } : null,
  };
}

// A page ends at an import (its creation time and id), sealed so that its cursor works only on its network's list.
const cursorScope = (networkId: string): string => `imports:${networkId}`;

/** Imports in PostgreSQL: the report and job state, and the rejected lines, all set-based. */
@Injectable()
export class TypeormImportStore implements ImportRepository, ImportRejections {
  constructor(private readonly dataSource: DataSource) {}

  async create(tx: Transaction, n: NewImport): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(
      `INSERT INTO imports (id, network_id, status, phase, mode, auto_send_invites, dry_run, file_name, sha256, size_bytes, counts,
                            requested_by_id, requested_by_email, notify_email, correlation_id, created_at, updated_at, file_lines)
       VALUES ($1, $2, 'queued', 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)`,
      [n.id, n.networkId, n.mode, n.autoSendInvites, n.dryRun, n.fileName, n.sha256, n.sizeBytes, JSON.stringify(zeroCounts()),
        n.requestedBy.id, n.requestedBy.email, n.notifyEmail, n.correlationId, n.createdAt, n.fileLines],
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
      params.push(...(await openCursor(this.dataSource, cursorScope(networkId), after)).split('|'));
      where += ' AND (created_at, id) < ($3::timestamptz, $4::uuid)';
    }
    const rows = await this.dataSource.query<ImportRow[]>(
      `SELECT * FROM imports WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    const items = rows.slice(0, limit).map(toRecord);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit ? await sealCursor(this.dataSource, cursorScope(networkId), `${last.createdAt}|${last.id}`) : null };
  }

  async pending(): Promise<{ importId: string; networkId: string }[]> {
    // The oldest of each network only: a network's imports run one at a time, and 100 queued by one admin used to
    // be all the worker saw, so every other network waited behind them.
    const rows = await this.dataSource.query<{ id: string; network_id: string }[]>(
      `SELECT id, network_id FROM (
         SELECT DISTINCT ON (network_id) id, network_id, created_at FROM imports
          WHERE status IN ('queued', 'running') ORDER BY network_id, created_at, id
       ) oldest ORDER BY created_at LIMIT 100`,
    );
    return rows.map((r) => ({ importId: r.id, networkId: r.network_id }));
  }

  async endedOf(importIds: readonly string[]): Promise<Map<string, boolean>> {
    const rows = await this.dataSource.query<{ id: string; ended: boolean }[]>(
      `SELECT id, phase = 'done' AS ended FROM imports WHERE id = ANY($1::uuid[])`,
      [importIds],
    );
    return new Map(rows.map((r) => [r.id, r.ended]));
  }

  async beginApplying(importId: string, file: HeadingLine, now: Date): Promise<boolean> {
    const [row] = await this.dataSource.query<{ begun: number }[]>(
      `WITH begun AS (
         UPDATE imports SET status = 'running', phase = 'applying', columns = $2, delimiter = $6, warnings = $3, warning_count = $4,
                            started_at = coalesce(started_at, $5), updated_at = $5 WHERE id = $1 AND phase <> 'done' RETURNING id)
       SELECT count(*)::int AS begun FROM begun`,
      [importId, JSON.stringify(file.columns), JSON.stringify(file.warnings), file.warnings.length, now, file.delimiter],
    );
    return row.begun > 0;
  }

  async recordBatch(tx: Transaction, importId: string, b: { counts: ImportCountsData; throughLine: number; now: Date; warnings: readonly string[] }): Promise<void> {
    const sql = sqlRunner(this.dataSource, tx);
    const [row] = await sql.query<{ counts: ImportCountsData; warnings: string[] }>(`SELECT counts, warnings FROM imports WHERE id = $1`, [importId]);
    const warnings = [...row.warnings, ...b.warnings.filter((w) => !row.warnings.includes(w))];
    await sql.query(
      `UPDATE imports SET counts = $2, applied_through = $3, batches = batches + 1, updated_at = $4, warnings = $5, warning_count = $6 WHERE id = $1`,
      [importId, JSON.stringify(addCounts({ ...zeroCounts(), ...row.counts }, b.counts)), b.throughLine, b.now, JSON.stringify(warnings), warnings.length],
    );
  }

  async finishReading(importId: string, totalRows: number, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE imports SET phase = 'linking', total_rows = $2, updated_at = $3 WHERE id = $1 AND phase = 'applying'`, [
      importId,
      totalRows,
      now,
    ]);
  }

  async setNotifyEmail(importId: string, email: string): Promise<void> {
    await this.dataSource.query(`UPDATE imports SET notify_email = $2 WHERE id = $1`, [importId, email]);
  }

  async requestCancel(importId: string, by: string, now: Date): Promise<boolean> {
    // A SELECT around the UPDATE: TypeORM answers an UPDATE with [rows, count], whatever it returns.
    const [row] = await this.dataSource.query<{ requested: number }[]>(
      `WITH requested AS (
         UPDATE imports SET cancel_requested_by = coalesce(cancel_requested_by, $2), cancel_requested_at = coalesce(cancel_requested_at, $3)
          WHERE id = $1 AND phase <> 'done' RETURNING id)
       SELECT count(*)::int AS requested FROM requested`,
      [importId, by, now],
    );
    return row.requested > 0;
  }

  async recordInvitationsRequested(importId: string, by: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE imports SET invitations_requested_at = $2, invitations_requested_by = $3 WHERE id = $1`, [importId, now, by]);
  }

  async recordLinks(tx: Transaction, importId: string, counts: ImportCountsData, now: Date): Promise<void> {
    const sql = sqlRunner(this.dataSource, tx);
    const [row] = await sql.query<{ counts: ImportCountsData }>(`SELECT counts FROM imports WHERE id = $1`, [importId]);
    await sql.query(`UPDATE imports SET counts = $2, managers_linked = true, updated_at = $3 WHERE id = $1`, [
      importId,
      JSON.stringify(addCounts({ ...zeroCounts(), ...row.counts }, counts)),
      now,
    ]);
  }

  async finish(
    tx: Transaction,
    importId: string,
    o: { status: 'completed' | 'failed'; failureReason?: string; warnings: readonly string[]; warningCount: number; now: Date },
  ): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(
      `UPDATE imports SET status = $2, phase = 'done', failure_reason = $3, warnings = $5, warning_count = $6, finished_at = $4,
                          updated_at = $4, started_at = coalesce(started_at, $4) WHERE id = $1`,
      [importId, o.status, o.failureReason ?? null, o.now, JSON.stringify(o.warnings), o.warningCount],
    );
  }

  async reject(tx: Transaction, importId: string, rejected: readonly RejectedLine[]): Promise<void> {
    if (rejected.length === 0) return;
    await sqlRunner(this.dataSource, tx).query(
      `INSERT INTO import_rejections (import_id, line, email, error, field, fields)
       SELECT $1, line, email, error, field, fields FROM json_to_recordset($2::json) AS x(line int, email text, error text, field text, fields jsonb)
       ON CONFLICT (import_id, line) DO NOTHING`,
      // A rejected line is what could not be read as it should: its text may hold what PostgreSQL cannot store.
      [importId, JSON.stringify(rejected, storableJson)],
    );
  }

  async rejections(networkId: string, importId: string, afterLine: number, limit: number): Promise<RejectedLine[]> {
    return this.dataSource.query<RejectedLine[]>(
      `SELECT j.line, j.email, j.error, j.field, j.fields FROM import_rejections j JOIN imports i ON i.id = j.import_id
        WHERE i.network_id = $1 AND j.import_id = $2 AND j.line > $3 ORDER BY j.line LIMIT $4`,
      [networkId, importId, afterLine, limit],
    );
  }
}
