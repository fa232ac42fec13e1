import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { type BulkColumn, BulkLoader } from '../../../../shared/infrastructure/database/bulk-loader.js';
import { type SqlRunner, sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { emailKey } from '../../../users/domain/email-address.js';
import { type ImportCountsData, zeroCounts } from '../../domain/import.events.js';
import type { ManagerLinkDecision } from '../../domain/manager-links.js';
import {
  DryRunUsers,
  ImportManagerLinks,
  type LinkToMake,
  type ManagerNote,
  type WaitingLinks,
  type WouldBeUser,
} from '../../application/ports/import-store.port.js';

const NOTE_COLUMNS: readonly BulkColumn[] = [
  { name: 'import_id', type: 'uuid' },
  { name: 'line', type: 'int' },
  { name: 'user_id', type: 'uuid' },
  { name: 'manager_key', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'outcome_pending', type: 'boolean' },
  { name: 'new_user', type: 'boolean' },
];

const DRY_RUN_USER_COLUMNS: readonly BulkColumn[] = [
  { name: 'import_id', type: 'uuid' },
  { name: 'email_key', type: 'text' },
  { name: 'user_id', type: 'uuid' },
  { name: 'email', type: 'text' },
  { name: 'manager_id', type: 'uuid' },
];

/** Nodes or links fetched per round trip when the graph goes to memory. */
const PAGE = 100_000;

/**
 * One user of the network by id, with their manager: from the users table, and for a dry run also from the users it
 * would have created. A LATERAL probe with LIMIT 1, so that statistics taken before a bulk import (a nearly empty
 * network) cannot turn it into a hash of the whole network; the real import's form reads users only. `id` is the
 * column to match, `network` and `dryRunOf` the statement's parameters for the network and (a dry run) the import.
 */
const userById = (id: string, network: string, dryRunOf?: string) => `LATERAL (
    SELECT id, manager_id FROM users WHERE network_id = ${network} AND id = ${id}
    ${dryRunOf ? `UNION ALL SELECT user_id, manager_id FROM import_dry_run_users WHERE import_id = ${dryRunOf} AND user_id = ${id}` : ''}
    LIMIT 1)`;

/** The same by e-mail key, with the user's e-mail. */
const userByEmailKey = (key: string, network: string, dryRunOf?: string) => `LATERAL (
    SELECT id, email FROM users WHERE network_id = ${network} AND email_key = ${key}
    ${dryRunOf ? `UNION ALL SELECT user_id, email FROM import_dry_run_users WHERE import_id = ${dryRunOf} AND email_key = ${key}` : ''}
    LIMIT 1)`;

// A manager cell that is no e-mail address was kept as written (see ValidUserRow.managerEmailKey): a key with a
// blank, a colon (mailto:) or an angle bracket, or without exactly one @ between text, is one of those.
const WARNING = `'Line ' || line || ': ' || CASE
    WHEN kind = 'self' THEN 'a user cannot be their own manager'
    WHEN decision = 'cycle' THEN 'manager ' || manager_key || ' would make a management cycle'
    WHEN manager_key !~ '^[^@[:space:]:<>]+@[^@[:space:]:<>]+$' THEN 'manager "' || manager_key || '" is not an e-mail address'
    ELSE 'manager ' || manager_key || ' is not a user of this network, and no line of this file created them (a rejected line, or one with Enabled FALSE, creates nobody)'
  END || CASE WHEN new_user THEN '; imported without a manager.' ELSE '; their manager is left as it was.' END`;

/** An import's manager notes and a dry run's would-be users in PostgreSQL, set-based. */
@Injectable()
export class PostgresManagerLinks implements ImportManagerLinks, DryRunUsers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bulk: BulkLoader,
  ) {}

  async note(tx: Transaction, importId: string, notes: readonly ManagerNote[]): Promise<void> {
    if (notes.length === 0) return;
    await this.bulk.load(
      tx,
      'import_manager_links',
      NOTE_COLUMNS,
      notes.map((n) => [importId, n.line, n.userId, n.managerKey, n.kind, n.outcomePending, n.newUser]),
    );
  }

  /**
   * Resolves the waiting links' managers by e-mail, then takes to memory, as integer arrays, the graph their
   * decision walks: the users they name and every manager above those managers (one recursive walk up the links).
   */
  async waiting(tx: Transaction, importId: string, networkId: string, dryRun: boolean): Promise<WaitingLinks | null> {
    const sql = sqlRunner(this.dataSource, tx);
    await sql.query(
      `CREATE TEMP TABLE import_link_wait ON COMMIT DROP AS
         SELECT n.line, n.user_id AS child, m.id AS manager, m.email AS manager_email
           FROM import_manager_links n
           LEFT JOIN ${userByEmailKey('n.manager_key', '$2', dryRun ? '$1' : undefined)} m ON true
          WHERE n.import_id = $1 AND n.kind = 'link' AND n.decision IS NULL`,
      [importId, networkId],
    );
    const [{ links }] = await sql.query<{ links: number }>(`SELECT count(*)::int AS links FROM import_link_wait`);
    if (links === 0) return null;
    // The managers and everyone above them, each with their own manager, in one walk up the links; then the users
    // the links name who are not among them (their manager matters to no walk before they get their new one).
    await sql.query(
      `CREATE TEMP TABLE import_link_nodes ON COMMIT DROP AS
         WITH RECURSIVE up(id, parent) AS (
           SELECT p.id, p.manager_id FROM (SELECT DISTINCT manager FROM import_link_wait WHERE manager IS NOT NULL) w
            CROSS JOIN ${userById('w.manager', '$1', dryRun ? '$2' : undefined)} p
           UNION
           SELECT p.id, p.manager_id FROM up CROSS JOIN ${userById('up.parent', '$1', dryRun ? '$2' : undefined)} p
            WHERE up.parent IS NOT NULL
         )
         SELECT (row_number() OVER () - 1)::int AS idx, id, parent FROM (
           SELECT id, parent FROM up
           UNION ALL
           SELECT DISTINCT w.child, NULL::uuid FROM import_link_wait w WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.id = w.child)
         ) n`,
      dryRun ? [networkId, importId] : [networkId],
    );
    await sql.query(`CREATE INDEX ON import_link_nodes (id)`);
    await sql.query(`ANALYZE import_link_nodes`);
    const [{ nodes }] = await sql.query<{ nodes: number }>(`SELECT count(*)::int AS nodes FROM import_link_nodes`);
    const parent = new Int32Array(nodes).fill(-1);
    for (let from = 0; from < nodes; from += PAGE) {
      const [page] = await sql.query<{ node: number[] | null; parent: number[] | null }>(
        `SELECT array_agg(n.idx) AS node, array_agg(p.idx) AS parent
           FROM import_link_nodes n JOIN import_link_nodes p ON p.id = n.parent
          WHERE n.idx >= $1 AND n.idx < $2`,
        [from, from + PAGE],
      );
      (page.node ?? []).forEach((node, i) => (parent[node] = page.parent![i]));
    }
    const lines = new Int32Array(links);
    const child = new Int32Array(links);
    const manager = new Int32Array(links);
    let at = 0;
    for (let afterLine = 0; at < links; ) {
      const [page] = await sql.query<{ line: number[]; child: number[]; manager: number[] }>(
        `SELECT array_agg(line ORDER BY line) AS line, array_agg(child ORDER BY line) AS child, array_agg(manager ORDER BY line) AS manager
           FROM (SELECT w.line, c.idx AS child, coalesce(m.idx, -1) AS manager
                   FROM import_link_wait w
                   JOIN import_link_nodes c ON c.id = w.child
                   LEFT JOIN import_link_nodes m ON m.id = w.manager
                  WHERE w.line > $1 ORDER BY w.line LIMIT $2) l`,
        [afterLine, PAGE],
      );
      lines.set(page.line, at);
      child.set(page.child, at);
      manager.set(page.manager, at);
      at += page.line.length;
      afterLine = page.line[page.line.length - 1];
    }
    return { graph: { parent, child, manager }, lines };
  }

  async decide(tx: Transaction, importId: string, lines: Int32Array, decisions: readonly ManagerLinkDecision[]): Promise<ImportCountsData> {
    const sql: SqlRunner = sqlRunner(this.dataSource, tx);
    if (lines.length > 0) {
      await sql.query(
        `UPDATE import_manager_links n
            SET decision = d.decision,
                manager_id = CASE WHEN d.decision = 'made' THEN w.manager END,
                manager_email = CASE WHEN d.decision = 'made' THEN w.manager_email END
           FROM unnest($2::int[], $3::text[]) AS d(line, decision)
           JOIN import_link_wait w ON w.line = d.line
          WHERE n.import_id = $1 AND n.line = d.line`,
        [importId, Array.from(lines), decisions],
      );
    }
    const [row] = await sql.query<{ updated: number; unchanged: number }>(
      `SELECT count(*) FILTER (WHERE decision = 'made')::int AS updated, count(*) FILTER (WHERE decision <> 'made')::int AS unchanged
         FROM import_manager_links WHERE import_id = $1 AND kind = 'link' AND outcome_pending`,
      [importId],
    );
    return { ...zeroCounts(), rows: row.updated + row.unchanged, updated: row.updated, unchanged: row.unchanged };
  }

  async toMake(importId: string, afterLine: number, limit: number): Promise<LinkToMake[]> {
    return this.dataSource.query<LinkToMake[]>(
      `SELECT line, user_id AS "userId", manager_id AS "managerId", manager_email AS "managerEmail" FROM import_manager_links
        WHERE import_id = $1 AND decision = 'made' AND NOT made AND line > $2 ORDER BY line LIMIT $3`,
      [importId, afterLine, limit],
    );
  }

  async markMade(tx: Transaction, importId: string, lines: readonly number[]): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(`UPDATE import_manager_links SET made = true WHERE import_id = $1 AND line = ANY($2::int[])`, [importId, lines]);
  }

  async warnings(importId: string, limit: number): Promise<{ warnings: string[]; count: number }> {
    const where = `import_id = $1 AND (kind = 'self' OR decision IN ('unknown', 'cycle'))`;
    const [{ count }] = await this.dataSource.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM import_manager_links WHERE ${where}`, [importId]);
    if (count === 0) return { warnings: [], count };
    const rows = await this.dataSource.query<{ warning: string }[]>(
      `SELECT ${WARNING} AS warning FROM import_manager_links WHERE ${where} ORDER BY line LIMIT $2`,
      [importId, limit],
    );
    return { warnings: rows.map((r) => r.warning), count };
  }

  async purge(tx: Transaction, importId: string): Promise<void> {
    const sql = sqlRunner(this.dataSource, tx);
    await sql.query(`DELETE FROM import_manager_links WHERE import_id = $1`, [importId]);
    await sql.query(`DELETE FROM import_dry_run_users WHERE import_id = $1`, [importId]);
  }

  async add(tx: Transaction, importId: string, users: readonly WouldBeUser[]): Promise<void> {
    if (users.length === 0) return;
    await this.bulk.load(
      tx,
      'import_dry_run_users',
      DRY_RUN_USER_COLUMNS,
      users.map((u) => [importId, emailKey(u.email), u.userId, u.email, u.managerId]),
    );
  }

  async findByEmailKeys(importId: string, emailKeys: readonly string[]): Promise<Map<string, WouldBeUser>> {
    if (emailKeys.length === 0) return new Map();
    const rows = await this.dataSource.query<{ email_key: string; user_id: string; email: string; manager_id: string | null }[]>(
      `SELECT email_key, user_id, email, manager_id FROM import_dry_run_users WHERE import_id = $1 AND email_key = ANY($2::text[])`,
      [importId, emailKeys],
    );
    return new Map(rows.map((r) => [r.email_key, { userId: r.user_id, email: r.email, managerId: r.manager_id }]));
  }
}
