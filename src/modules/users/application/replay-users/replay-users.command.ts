import { Command } from '@nestjs/cqrs';

/** A row of the users table that is not what the user's events give. */
export interface UserRowDifference {
  readonly networkId: string;
  readonly userId: string;
  /**
   * missing: the events give a user and there is no row; unbacked: a row no events give; different: the fields;
   * unreadable: the events hold one this release cannot replay (its row, if any, is left as it is).
   */
  readonly kind: 'missing' | 'unbacked' | 'different' | 'unreadable';
  /** The row's fields that differ (`different` only), as the users table names them. */
  readonly fields: readonly string[];
  /** Why the events cannot be replayed (`unreadable` only). */
  readonly reason?: string;
}

export interface UsersReplayReport {
  /** The network replayed, or null for all of them. */
  readonly networkId: string | null;
  /** Users the events give, from how many events, and rows the table had. */
  readonly users: number;
  readonly events: number;
  readonly rows: number;
  readonly differences: { readonly missing: number; readonly unbacked: number; readonly different: number; readonly unreadable: number };
  /** The first differences found, in user-id order. */
  readonly examples: readonly UserRowDifference[];
  /** Rows rewritten from the events (0 unless repairing). */
  readonly repaired: number;
}

/**
 * Replays every user's events (one network's, or all) and compares what they give with the users table; with
 * `repair`, rewrites the rows that differ and deletes those no events give. The events are the record: the table
 * is their projection, which imports decide from.
 */
export class ReplayUsersCommand extends Command<UsersReplayReport> {
  constructor(readonly options: { readonly networkId?: string; readonly repair: boolean }) {
    super();
  }
}
