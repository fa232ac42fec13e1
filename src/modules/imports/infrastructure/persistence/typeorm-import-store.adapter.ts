import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ValidationError } from '../../../../shared/application/application-errors.js';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { findCycleBreakers } from '../../domain/manager-cycles.js';
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
  type RowToStage,
  type StagedRowRecord,
} from '../../application/ports/import-store.port.js';

/** Warnings kept word for word on the report; beyond this only their number is kept. */
const MAX_STORED_WARNINGS = 1_000;
const CYCLE_PAGE = 100_000;

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
  constructor(private readonly dataSource: DataSource) {}

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

  /** Each line gets the id its user will have if it is new, so a manager named on an earlier line can point at it. */
  async stage(importId: string, rows: readonly RowToStage[], rejected: readonly RejectedLine[]): Promise<void> {
    if (rows.length > 0) {
      // One JSON document per chunk: JSON.stringify is native and PostgreSQL parses it fast, where array
      // parameters cost an escaping pass per element in the driver.
      const json = JSON.stringify(
        rows.map((r) => ({
          u: randomUUID(),
          l: r.line,
          e: r.email,
          k: r.emailKey,
          n: r.name,
          f: r.firstName,
          a: r.lastName,
          t: r.title,
          m: r.mobile,
          g: r.managerKey,
          x: r.enabled,
          c: r.fields ? JSON.stringify(r.fields) : undefined,
        })),
      );
      await this.dataSource.query(
        `INSERT INTO import_rows (import_id, user_id, line, email, email_key, name, first_name, last_name, title, mobile, manager_key, enabled, cells)
         SELECT $1, u, l, e, k, n, f, a, t, m, g, x, c
           FROM json_to_recordset($2::json) AS r(u uuid, l int, e text, k text, n text, f text, a text, t text, m text, g text, x boolean, c text)`,
        [importId, json],
      );
    }
    await this.insertRejections(undefined, importId, rejected);
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


  async resolve(tx: Transaction, importId: string, networkId: string, mode: ImportMode): Promise<ResolvedFile> {
    const sql = sqlRunner(this.dataSource, tx);
    // Statistics for the rows just staged: without them the planner takes the table for empty and nests loops.
    await sql.query(`ANALYZE import_rows`);
    // The first line with an e-mail wins; later ones are rejected pointing at it.
    await sql.query(
      `UPDATE import_rows r SET rejection = 'This e-mail already appears on line ' || d.first_line || '; each user may appear only once.'
         FROM (SELECT line, min(line) OVER (PARTITION BY email_key) AS first_line FROM import_rows WHERE import_id = $1) d
        WHERE r.import_id = $1 AND r.line = d.line AND d.first_line < d.line`,
      [importId],
    );
    // One pass over the file's lines (a single rewrite of each staged row):
    // - the user each line is about: an existing user of the network, else the id given at staging;
    // - the manager, when the line will create or update its user: a user of the network, else the first valid
    //   line of the file that creates that user (forward references included); unknown or self is a warning;
    // - the outcome when no decision is needed: skipped (FALSE for a new user, or skip mode for an existing one),
    //   or unchanged (update mode, every cell given equals the current value). The others go to ImportBatch.
    await sql.query(
      `WITH line AS (
         SELECT r.line, r.email_key, r.manager_key, r.rejection, r.enabled, r.name, r.first_name, r.last_name, r.title, r.mobile,
                u.id AS existing_id, u.manager_id AS current_manager, u.status AS current_status, u.name AS current_name,
                u.first_name AS current_first_name, u.last_name AS current_last_name, u.title AS current_title, u.mobile AS current_mobile,
                r.rejection IS NULL AND r.manager_key IS NOT NULL
                  AND (CASE WHEN u.id IS NOT NULL THEN $3::text = 'update' ELSE r.enabled IS DISTINCT FROM false END) AS sets_manager
           FROM import_rows r
           LEFT JOIN users u ON u.network_id = $2 AND u.email_key = r.email_key
          WHERE r.import_id = $1
       ), resolved AS (
         SELECT l.*,
                CASE WHEN l.sets_manager AND l.manager_key <> l.email_key THEN coalesce(mu.id, mf.user_id) END AS manager_id,
                CASE WHEN l.sets_manager AND l.manager_key <> l.email_key THEN coalesce(mu.email, mf.email) END AS manager_email
           FROM line l
           LEFT JOIN users mu ON l.sets_manager AND mu.network_id = $2 AND mu.email_key = l.manager_key
           LEFT JOIN import_rows mf ON l.sets_manager AND mu.id IS NULL AND mf.import_id = $1 AND mf.email_key = l.manager_key
                AND mf.rejection IS NULL AND mf.enabled IS DISTINCT FROM false AND coalesce(mf.name, mf.first_name, mf.last_name) IS NOT NULL
       )
       UPDATE import_rows r SET
              user_id = coalesce(v.existing_id, r.user_id),
              existing = v.existing_id IS NOT NULL,
              manager_id = v.manager_id,
              manager_email = v.manager_email,
              warning = CASE
                WHEN NOT v.sets_manager OR v.manager_id IS NOT NULL THEN NULL
                WHEN v.manager_key = v.email_key THEN 'a user cannot be their own manager; imported without a manager.'
                ELSE 'manager ' || v.manager_key || ' is neither a user of this network nor a new user in this file; imported without a manager.' END,
              outcome = CASE
                WHEN v.rejection IS NOT NULL THEN NULL
                WHEN v.existing_id IS NULL AND v.enabled = false THEN 'skipped'
                WHEN v.existing_id IS NOT NULL AND $3::text = 'skip' THEN 'skipped'
                WHEN v.existing_id IS NOT NULL
                     AND (v.name IS NULL OR v.name = v.current_name)
                     AND (v.first_name IS NULL OR v.first_name IS NOT DISTINCT FROM v.current_first_name)
                     AND (v.last_name IS NULL OR v.last_name IS NOT DISTINCT FROM v.current_last_name)
                     AND (v.title IS NULL OR v.title IS NOT DISTINCT FROM v.current_title)
                     AND (v.mobile IS NULL OR v.mobile IS NOT DISTINCT FROM v.current_mobile)
                     AND (v.manager_id IS NULL OR v.manager_id = v.current_manager)
                     AND (v.enabled IS NULL OR v.enabled = (v.current_status = 'active'))
                  THEN 'unchanged' END
         FROM resolved v
        WHERE r.import_id = $1 AND r.line = v.line`,
      [importId, networkId, mode],
    );
    await this.breakCycles(sql, importId, networkId);
    const [summary] = await sql.query<{ count: number; warnings: string[] | null; skipped: number; unchanged: number }>(
      `SELECT count(*) FILTER (WHERE warning IS NOT NULL)::int AS count,
              (array_agg('Line ' || line || ': ' || warning ORDER BY line) FILTER (WHERE warning IS NOT NULL))[1:${MAX_STORED_WARNINGS}] AS warnings,
              count(*) FILTER (WHERE outcome = 'skipped')::int AS skipped,
              count(*) FILTER (WHERE outcome = 'unchanged')::int AS unchanged
         FROM import_rows WHERE import_id = $1`,
      [importId],
    );
    return { warnings: summary.warnings ?? [], warningCount: summary.count, settled: { skipped: summary.skipped, unchanged: summary.unchanged } };
  }

  /**
   * Manager links form a forest; a file can close a loop (A manages B manages A), directly or through existing
   * users. The graph goes to memory as two integer arrays (a few MB for a million users) for a linear-time walk.
   */
  private async breakCycles(sql: ReturnType<typeof sqlRunner>, importId: string, networkId: string): Promise<void> {
    // Only a link this file adds or changes can close a cycle; a file that changes no manager needs no walk.
    const [{ changing }] = await sql.query<{ changing: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM import_rows r LEFT JOIN users u ON u.network_id = $2 AND u.id = r.user_id
                       WHERE r.import_id = $1 AND r.manager_id IS NOT NULL AND r.outcome IS NULL
                         AND r.manager_id IS DISTINCT FROM u.manager_id) AS changing`,
      [importId, networkId],
    );
    if (!changing) return;
    await sql.query(
      `CREATE TEMP TABLE import_manager_edges ON COMMIT DROP AS
         SELECT r.user_id AS id, r.manager_id AS parent, r.line FROM import_rows r
          WHERE r.import_id = $1 AND r.manager_id IS NOT NULL AND r.outcome IS NULL
         UNION ALL
         SELECT u.id, u.manager_id, 0 FROM users u
          WHERE u.network_id = $2 AND u.manager_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM import_rows r WHERE r.import_id = $1 AND r.user_id = u.id AND r.manager_id IS NOT NULL AND r.outcome IS NULL)`,
      [importId, networkId],
    );
    const [{ edges }] = await sql.query<{ edges: number }>(`SELECT count(*)::int AS edges FROM import_manager_edges`);
    if (edges === 0) return;
    await sql.query(
      `CREATE TEMP TABLE import_manager_nodes ON COMMIT DROP AS
         SELECT (row_number() OVER () - 1)::int AS idx, id FROM (SELECT id FROM import_manager_edges UNION SELECT parent FROM import_manager_edges) n`,
    );
    await sql.query(`CREATE INDEX ON import_manager_nodes (id)`);
    const [{ nodes }] = await sql.query<{ nodes: number }>(`SELECT count(*)::int AS nodes FROM import_manager_nodes`);
    const parent = new Int32Array(nodes).fill(-1);
    const line = new Int32Array(nodes);
    await sql.query(`CREATE TEMP TABLE import_manager_links ON COMMIT DROP AS
         SELECT c.idx AS child, p.idx AS parent, e.line FROM import_manager_edges e
           JOIN import_manager_nodes c ON c.id = e.id JOIN import_manager_nodes p ON p.id = e.parent`);
    await sql.query(`CREATE INDEX ON import_manager_links (child)`);
    for (let from = 0; from < nodes; from += CYCLE_PAGE) {
      const [page] = await sql.query<{ c: number[] | null; p: number[] | null; l: number[] | null }>(
        `SELECT array_agg(child) AS c, array_agg(parent) AS p, array_agg(line) AS l FROM import_manager_links WHERE child >= $1 AND child < $2`,
        [from, from + CYCLE_PAGE],
      );
      (page.c ?? []).forEach((child, i) => {
        parent[child] = page.p![i];
        line[child] = page.l![i];
      });
    }
    const breakers = findCycleBreakers(parent, line);
    if (breakers.length === 0) return;
    await sql.query(
      `UPDATE import_rows SET manager_id = NULL, manager_email = NULL,
              warning = 'manager ' || manager_key || ' would make a management cycle; imported without a manager.'
        WHERE import_id = $1 AND line = ANY($2::int[])`,
      [importId, breakers],
    );
  }

  async batch(importId: string, afterLine: number, limit: number): Promise<StagedRowRecord[]> {
    const rows = await this.dataSource.query<
      {
        line: number; email: string; email_key: string; name: string | null; first_name: string | null; last_name: string | null;
        title: string | null; mobile: string | null; manager_key: string | null; enabled: boolean | null; user_id: string;
        manager_id: string | null; manager_email: string | null; rejection: string | null; cells: string | null;
      }[]
    >(
      `SELECT line, email, email_key, name, first_name, last_name, title, mobile, manager_key, enabled, user_id, manager_id, manager_email, rejection, cells
         FROM import_rows WHERE import_id = $1 AND line > $2 AND outcome IS NULL ORDER BY line LIMIT $3`,
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
        WHERE import_id = $1 AND manager_id = ANY($2::uuid[]) AND line < $3 AND rejection IS NULL AND outcome IS NULL ORDER BY line`,
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

  async purge(importId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM import_rows WHERE import_id = $1`, [importId]);
  }
}
