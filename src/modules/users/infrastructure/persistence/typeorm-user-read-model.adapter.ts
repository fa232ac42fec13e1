import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UniqueEmailViolationError } from '../../../../shared/application/application-errors.js';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { type SqlRunner, sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { cursorPages } from '../../../../shared/infrastructure/database/cursor-pages.js';
import { openCursor, sealCursor } from '../../../../shared/infrastructure/database/sealed-cursors.js';
import { type BulkColumn, BulkLoader, type BulkRows, type BulkValue, insertFromJson, jsonRows } from '../../../../shared/infrastructure/database/bulk-loader.js';
import { emailKey } from '../../domain/email-address.js';
import {
  type NewUserRows,
  UserProjection,
  UserReadModel,
  type UserListFilter,
  type UserPage,
  type UsersReplay,
  type UserSnapshot,
  type UserView,
} from '../../application/ports/user-read-model.port.js';

interface UserRow {
  network_id: string;
  id: string;
  email: string;
  name: string;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  mobile: string | null;
  manager_id: string | null;
  manager_email: string | null;
  status: 'active' | 'deactivated';
  invitation: 'none' | 'requested';
  version: number;
  /** Milliseconds since the epoch: a number is parsed many times faster than timestamp text (see USER_TIMES). */
  created_ms: number;
  updated_ms: number;
  created_by_import_id: string | null;
}

/**
 * The times as epoch milliseconds (float8): pg parses timestamp text with regular expressions, which took 1.9 s of
 * a 1,000,000-line import updating every user, and made garbage the collector then copied. The users' times are
 * written from JavaScript Dates, so nothing finer than a millisecond is dropped.
 */
const USER_TIMES = `(extract(epoch FROM u.created_at) * 1000)::float8 AS created_ms, (extract(epoch FROM u.updated_at) * 1000)::float8 AS updated_ms`;

/** A users row's columns, with `managerEmail` as the expression that gives the manager's e-mail. */
const userColumns = (managerEmail: string) => `u.network_id, u.id, u.email, u.name, u.first_name, u.last_name, u.title, u.mobile, u.manager_id,
         ${managerEmail} AS manager_email, u.status, u.invitation, u.version, ${USER_TIMES}, u.created_by_import_id`;

// The manager's e-mail is read through the join so it follows the manager's own changes.
const SELECT_USER = `
  SELECT ${userColumns('m.email')}
    FROM users u
    LEFT JOIN users m ON m.network_id = u.network_id AND m.id = u.manager_id`;

/** The API's view of a row: the snapshot less the internal fields, with times as ISO strings. */
function toView(r: UserRow): UserView {
  const { kind: _kind, userId, createdByImportId: _import, createdAt, updatedAt, ...fields } = toSnapshot(r);
  return { id: userId, ...fields, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

function toSnapshot(r: UserRow): UserSnapshot {
  return {
    kind: 'existing',
    userId: r.id,
    networkId: r.network_id,
    email: r.email,
    name: r.name,
    firstName: r.first_name,
    lastName: r.last_name,
    title: r.title,
    mobile: r.mobile,
    managerId: r.manager_id,
    managerEmail: r.manager_email,
    status: r.status,
    invitation: r.invitation,
    createdByImportId: r.created_by_import_id,
    version: r.version,
    createdAt: new Date(r.created_ms),
    updatedAt: new Date(r.updated_ms),
  };
}

// A page ends at an e-mail key: sealed, so that a cursor names no address, and works only on its own network's list.
const cursorScope = (networkId: string): string => `users:${networkId}`;
const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function isEmailUniqueViolation(error: unknown): error is { detail?: string } {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  return (e.driverError?.code ?? e.code) === '23505' && (e.driverError?.constraint ?? e.constraint) === 'users_network_email_key';
}

/** The e-mail another user of the network already has, as the API's 409 names it. */
function emailTaken(error: unknown): unknown {
  if (!isEmailUniqueViolation(error)) return error;
  const email = /\(network_id, email_key\)=\([^,]*, ([^)]*)\)/.exec(String(error.detail))?.[1];
  return new UniqueEmailViolationError(email ?? 'the same address');
}

const USER_COLUMNS: readonly BulkColumn[] = [
  { name: 'network_id', type: 'text' },
  { name: 'id', type: 'uuid' },
  { name: 'email', type: 'text' },
  { name: 'email_key', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'first_name', type: 'text' },
  { name: 'last_name', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'mobile', type: 'text' },
  { name: 'manager_id', type: 'uuid' },
  { name: 'status', type: 'text' },
  { name: 'invitation', type: 'text' },
  { name: 'version', type: 'int' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'updated_at', type: 'timestamptz' },
  { name: 'created_by_import_id', type: 'uuid' },
];

const USER_COLUMN_LIST = USER_COLUMNS.map((c) => c.name).join(', ');
const UPSERT_USERS = `INSERT INTO users (${USER_COLUMN_LIST})`;
// An existing user keeps the id, network and creation time (and import) it was created with.
const ON_CONFLICT_UPDATE = `ON CONFLICT (network_id, id) DO UPDATE SET
    email = EXCLUDED.email, email_key = EXCLUDED.email_key, name = EXCLUDED.name,
    first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, title = EXCLUDED.title,
    mobile = EXCLUDED.mobile, manager_id = EXCLUDED.manager_id, status = EXCLUDED.status,
    invitation = EXCLUDED.invitation, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`;

/** A snapshot as a row of USER_COLUMNS. */
function userRow(u: UserSnapshot): BulkValue[] {
  return [
    u.networkId,
    u.userId,
    u.email,
    emailKey(u.email),
    u.name,
    u.firstName,
    u.lastName,
    u.title,
    u.mobile,
    u.managerId,
    u.status,
    u.invitation,
    u.version,
    u.createdAt,
    u.updatedAt,
    u.createdByImportId,
  ];
}

/** Rows encoded (COPY text, or JSON for the embedded database) as the users are added. */
class EncodedUserRows implements NewUserRows {
  constructor(readonly encoded: BulkRows) {}

  add(user: UserSnapshot): void {
    this.encoded.add(userRow(user));
  }

  get count(): number {
    return this.encoded.count;
  }
}

/** The users of network $1 whose `column` is in $2 (an array of `type`), with their manager's e-mail: a probe a key. */
function probeUsersBy(column: 'email_key' | 'id', type: 'text' | 'uuid'): string {
  return `SELECT u.network_id, u.id, u.email, u.name, u.first_name, u.last_name, u.title, u.mobile, u.manager_id,
                 m.email AS manager_email, u.status, u.invitation, u.version, ${USER_TIMES}, u.created_by_import_id
            FROM unnest($2::${type}[]) AS k(key)
           CROSS JOIN LATERAL (SELECT * FROM users WHERE network_id = $1 AND ${column} = k.key LIMIT 1) u
            LEFT JOIN LATERAL (SELECT email FROM users WHERE network_id = u.network_id AND id = u.manager_id LIMIT 1) m ON true`;
}

/** The users projection in PostgreSQL: one set-based upsert per transaction, reads scoped by network. */
@Injectable()
export class TypeormUserReadModel implements UserProjection, UserReadModel {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bulk: BulkLoader,
  ) {}

  newRows(): NewUserRows {
    return new EncodedUserRows(this.bulk.rows(USER_COLUMNS));
  }

  async insert(tx: Transaction, rows: NewUserRows): Promise<void> {
    if (!(rows instanceof EncodedUserRows)) throw new Error('Rows not gathered by this projection');
    await this.bulk.loadRows(tx, 'users', rows.encoded).catch((error: unknown) => {
      throw emailTaken(error);
    });
  }

  async save(tx: Transaction, users: readonly UserSnapshot[]): Promise<void> {
    if (users.length === 0) return;
    const sql = sqlRunner(this.dataSource, tx);
    try {
      // Many users (an import's batch) go by COPY into a temporary table and one upsert from it: encoding 5,000
      // users as JSON took 15–25 ms of Node a batch, as COPY text about 2. One user (an API edit) is one statement.
      if (this.bulk.copySupported && users.length > 1) {
        await sql.query(`CREATE TEMP TABLE users_saved (LIKE users) ON COMMIT DROP`);
        await this.bulk.load(tx, 'users_saved', USER_COLUMNS, users.map(userRow));
        await sql.query(`${UPSERT_USERS} SELECT ${USER_COLUMN_LIST} FROM users_saved ${ON_CONFLICT_UPDATE}; DROP TABLE users_saved`);
      } else {
        await sql.query(`${insertFromJson('users', USER_COLUMNS, { parsedOnce: true })} ${ON_CONFLICT_UPDATE}`, [jsonRows(users.map(userRow))]);
      }
    } catch (error) {
      throw emailTaken(error);
    }
  }

  async startReplay(tx: Transaction, options: { readonly networkId?: string; readonly repair: boolean }): Promise<UsersReplay> {
    const sql = sqlRunner(this.dataSource, tx);
    // The snapshot is taken at the first read, so after the lock: writers that held users then have committed.
    await sql.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ${options.repair ? '' : ', READ ONLY'}`);
    if (options.repair) {
      await sql.query(`LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`);
      await sql.query(`CREATE TEMP TABLE users_replayed (LIKE users) ON COMMIT DROP`);
      await sql.query(`CREATE TEMP TABLE users_unbacked (network_id text, id uuid) ON COMMIT DROP`);
    }
    return new TypeormUsersReplay(sql, this.bulk, tx, options.networkId);
  }

  async get(networkId: string, userId: string): Promise<UserView | null> {
    const rows = await this.dataSource.query<UserRow[]>(`${SELECT_USER} WHERE u.network_id = $1 AND u.id = $2`, [networkId, userId]);
    return rows[0] ? toView(rows[0]) : null;
  }

  async isAbove(networkId: string, userId: string, employeeId: string, tx?: Transaction): Promise<boolean> {
    // UNION, not UNION ALL: a loop already in the data (written before changes of manager took a lock) ends the walk
    // instead of running it forever.
    const [row] = await sqlRunner(this.dataSource, tx).query<{ above: boolean }>(
      `WITH RECURSIVE up(id, manager_id) AS (
         SELECT id, manager_id FROM users WHERE network_id = $1 AND id = $3
         UNION
         SELECT u.id, u.manager_id FROM users u JOIN up ON u.id = up.manager_id WHERE u.network_id = $1
       )
       SELECT EXISTS (SELECT 1 FROM up WHERE manager_id = $2) AS above`,
      [networkId, userId, employeeId],
    );
    return row.above;
  }

  async findById(networkId: string, userId: string, tx?: Transaction): Promise<UserSnapshot | null> {
    const rows = await sqlRunner(this.dataSource, tx).query<UserRow>(`${SELECT_USER} WHERE u.network_id = $1 AND u.id = $2`, [
      networkId,
      userId,
    ]);
    return rows[0] ? toSnapshot(rows[0]) : null;
  }

  async findByEmailKeys(networkId: string, emailKeys: readonly string[]): Promise<Map<string, UserSnapshot>> {
    if (emailKeys.length === 0) return new Map();
    // One unique-index probe per key, whatever the statistics say. With `= ANY` the planner trusted statistics
    // taken before a bulk import had added a million users and hashed the whole network for every batch (1.6 s
    // instead of 40 ms once the network had 800,000 users); LIMIT 1 keeps each look-up a nested index scan.
    const rows = await this.dataSource.query<UserRow[]>(probeUsersBy('email_key', 'text'), [networkId, emailKeys]);
    return new Map(rows.map((r) => [emailKey(r.email), toSnapshot(r)]));
  }

  async hasUsersNotCreatedBy(networkId: string, importId: string): Promise<boolean> {
    const [row] = await this.dataSource.query<{ found: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM users WHERE network_id = $1 AND created_by_import_id IS DISTINCT FROM $2) AS found`,
      [networkId, importId],
    );
    return row.found;
  }

  async findByIds(networkId: string, userIds: readonly string[]): Promise<Map<string, UserSnapshot>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.dataSource.query<UserRow[]>(probeUsersBy('id', 'uuid'), [networkId, userIds]);
    return new Map(rows.map((r) => [r.id, toSnapshot(r)]));
  }

  async findUninvitedCreatedByImport(networkId: string, importId: string, afterId: string | null, limit: number): Promise<UserSnapshot[]> {
    // A walk of the network's users in id order (the primary key), from where the last page stopped: no index on
    // the creating import, which every user an import creates would pay for.
    const rows = await this.dataSource.query<UserRow[]>(
      `${SELECT_USER} WHERE u.network_id = $1 AND u.id > $3 AND u.created_by_import_id = $2 AND u.invitation = 'none' AND u.status = 'active'
        ORDER BY u.id LIMIT $4`,
      [networkId, importId, afterId ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return rows.map(toSnapshot);
  }

  async list(networkId: string, filter: UserListFilter): Promise<UserPage> {
    const where = ['u.network_id = $1'];
    const params: unknown[] = [networkId];
    if (filter.status) {
      params.push(filter.status);
      where.push(`u.status = $${params.length}`);
    }
    if (filter.search) {
      params.push(likePattern(filter.search));
      where.push(`(u.name ILIKE $${params.length} OR u.email_key LIKE lower($${params.length}))`);
    }
    if (filter.after) {
      params.push(await openCursor(this.dataSource, cursorScope(networkId), filter.after));
      where.push(`u.email_key > $${params.length}`);
    }
    params.push(filter.limit + 1);
    const rows = await this.dataSource.query<(UserRow & { email_key: string })[]>(
      `${SELECT_USER.replace('SELECT u.network_id', 'SELECT u.email_key, u.network_id')}
        WHERE ${where.join(' AND ')} ORDER BY u.email_key LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, filter.limit);
    const more = rows.length > filter.limit;
    return { items: page.map(toView), nextCursor: more ? await sealCursor(this.dataSource, cursorScope(networkId), page[page.length - 1].email_key) : null };
  }
}

/** Rows fetched, and rows staged, a round trip: a replay that rewrites a whole table holds no more than this many. */
const REPLAY_STAGE = 5_000;

class TypeormUsersReplay implements UsersReplay {
  private readonly replayed: UserSnapshot[] = [];
  private readonly unbacked: BulkValue[][] = [];
  private written = 0;

  constructor(
    private readonly sql: SqlRunner,
    private readonly bulk: BulkLoader,
    private readonly tx: Transaction,
    private readonly networkId: string | undefined,
  ) {}

  get rows(): AsyncIterable<UserSnapshot> {
    return this.read();
  }

  private async *read(): AsyncGenerator<UserSnapshot, void, undefined> {
    // The replay compares the manager's id, which the table keeps; the e-mail would cost a join per row.
    const pages = cursorPages<UserRow>(
      this.sql,
      `SELECT ${userColumns('NULL')} FROM users u ${this.networkId === undefined ? '' : 'WHERE u.network_id = $1'} ORDER BY u.id, u.network_id`,
      this.networkId === undefined ? [] : [this.networkId],
      REPLAY_STAGE,
    );
    for await (const page of pages) for (const row of page) yield toSnapshot(row);
  }

  async put(user: UserSnapshot): Promise<void> {
    this.replayed.push(user);
    if (this.replayed.length >= REPLAY_STAGE) await this.flush();
  }

  async remove(networkId: string, userId: string): Promise<void> {
    this.unbacked.push([networkId, userId]);
    if (this.unbacked.length >= REPLAY_STAGE) await this.flush();
  }

  async apply(): Promise<number> {
    await this.flush();
    if (this.written === 0) return 0;
    await this.sql.query(
      `DELETE FROM users u
        USING (SELECT network_id, id FROM users_unbacked UNION ALL SELECT network_id, id FROM users_replayed) r
        WHERE u.network_id = r.network_id AND u.id = r.id`,
    );
    await this.sql.query(`INSERT INTO users (${USER_COLUMN_LIST}) SELECT ${USER_COLUMN_LIST} FROM users_replayed`).catch((error: unknown) => {
      throw emailTaken(error);
    });
    return this.written;
  }

  private async flush(): Promise<void> {
    if (this.replayed.length > 0) await this.bulk.load(this.tx, 'users_replayed', USER_COLUMNS, this.replayed.map(userRow));
    if (this.unbacked.length > 0) await this.bulk.load(this.tx, 'users_unbacked', UNBACKED_COLUMNS, this.unbacked);
    this.written += this.replayed.length + this.unbacked.length;
    this.replayed.length = 0;
    this.unbacked.length = 0;
  }
}

const UNBACKED_COLUMNS: readonly BulkColumn[] = [
  { name: 'network_id', type: 'text' },
  { name: 'id', type: 'uuid' },
];
