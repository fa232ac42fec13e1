import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import type { ExistingUser, UserStatus } from '../../domain/user.decider.js';

/** A user's current state as stored in the read model, with its stream version and timestamps. */
export interface UserSnapshot extends ExistingUser {
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * The snapshot of a user at a version. Fields listed one by one: V8 builds \`{ ...user, version }\` (a spread plus a
 * key the source lacks) on a slow path, about 3 µs a user, a quarter of a bulk import's decision time.
 */
export function userSnapshot(user: ExistingUser, version: number, createdAt: Date, updatedAt: Date): UserSnapshot {
  return {
    kind: 'existing',
    userId: user.userId,
    networkId: user.networkId,
    email: user.email,
    name: user.name,
    firstName: user.firstName,
    lastName: user.lastName,
    title: user.title,
    mobile: user.mobile,
    managerId: user.managerId,
    managerEmail: user.managerEmail,
    status: user.status,
    invitation: user.invitation,
    createdByImportId: user.createdByImportId,
    version,
    createdAt,
    updatedAt,
  };
}

export interface UserView {
  id: string;
  networkId: string;
  email: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  mobile: string | null;
  managerId: string | null;
  managerEmail: string | null;
  status: UserStatus;
  invitation: 'none' | 'requested';
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface UserListFilter {
  status?: UserStatus;
  search?: string;
  /** Opaque cursor returned as `nextCursor` by the previous page. */
  after?: string;
  limit: number;
}

export interface UserPage {
  items: UserView[];
  nextCursor: string | null;
}

/** New users' rows being gathered for one insert (UserProjection.newRows). */
export interface NewUserRows {
  add(user: UserSnapshot): void;
  readonly count: number;
}

/** The users table as a replay of the events meets it (ReplayUsersHandler), within the replay's transaction. */
export interface UsersReplay {
  /** The stored rows, in user-id order; `managerEmail` is null (the table keeps the manager's id, not the e-mail). */
  readonly rows: AsyncIterable<UserSnapshot>;
  /** Stages the row the events give a user, in place of the stored one if there is one. */
  put(user: UserSnapshot): Promise<void>;
  /** Stages the deletion of a row that no user's events give. */
  remove(networkId: string, userId: string): Promise<void>;
  /** Writes what was staged, all at once (two users may trade e-mails); returns the rows written and deleted. */
  apply(): Promise<number>;
}

/** Writes the users projection; called inside the transaction that appended the users' events. */
export abstract class UserProjection {
  /** Inserts or replaces the given users' rows (set-based: one statement for any number of users). */
  abstract save(tx: Transaction, users: readonly UserSnapshot[]): Promise<void>;
  /**
   * Rows for users created in this transaction, taken one by one as they are decided and kept encoded rather than
   * as objects: a bulk import's batch of new users is written after its events, and holding 5,000 snapshots until
   * then made each of them outlive the young generation.
   */
  abstract newRows(): NewUserRows;
  /** Inserts the rows, which no user can have yet (a bulk load, no upsert). */
  abstract insert(tx: Transaction, rows: NewUserRows): Promise<void>;
  /**
   * Opens the rows of one network (or all) to a replay, as the first thing `tx` does: the transaction then reads
   * one snapshot of the events and the rows, and with `repair` no other transaction writes users until it ends
   * (reads go on).
   */
  abstract startReplay(tx: Transaction, options: { readonly networkId?: string; readonly repair: boolean }): Promise<UsersReplay>;
}

/** Reads the users projection, always within one network. */
export abstract class UserReadModel {
  abstract get(networkId: string, userId: string): Promise<UserView | null>;
  abstract list(networkId: string, filter: UserListFilter): Promise<UserPage>;
  /** Current users by lower-cased e-mail (one round trip for a whole batch). */
  abstract findByEmailKeys(networkId: string, emailKeys: readonly string[]): Promise<Map<string, UserSnapshot>>;
  abstract findById(networkId: string, userId: string, tx?: Transaction): Promise<UserSnapshot | null>;
  /** Whether the network has a user that this import did not create (a first import into a new network has none). */
  abstract hasUsersNotCreatedBy(networkId: string, importId: string): Promise<boolean>;
  /** Current users by id (one round trip for a whole batch). */
  abstract findByIds(networkId: string, userIds: readonly string[]): Promise<Map<string, UserSnapshot>>;
  /**
   * Active users an import created who have not been invited yet, at most `limit` of them, in id order after `afterId`. Not locked: writers
   * rely on the event store's version check, so a concurrent edit makes the caller retry instead of deadlocking.
   */
  abstract findUninvitedCreatedByImport(networkId: string, importId: string, afterId: string | null, limit: number): Promise<UserSnapshot[]>;
  /** Whether `userId` is above `employeeId` in the management chain: their manager, their manager's manager, and so on. */
  abstract isAbove(networkId: string, userId: string, employeeId: string, tx?: Transaction): Promise<boolean>;
}
