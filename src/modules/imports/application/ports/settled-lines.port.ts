import type { ImportMode } from '../../domain/import.events.js';
import type { ValidatedRow } from './import-store.port.js';

/**
 * What a valid line says about its user, for SettledLines to compare, with the line's position in its batch (`at`);
 * an absent value leaves that field alone.
 */
export type LineProbe = { readonly at: number } & Omit<ValidatedRow, 'line' | 'email' | 'fields'>;

/**
 * Sets apart, in the database, the lines whose outcome needs nothing of their user but that the user exists: in skip
 * mode, every line whose user exists (skipped); in update mode, every line that changes nothing of its user (each
 * value it gives equals the user's, Enabled matches the user's state, and the manager it names is the user's
 * manager), which the user decider would answer with no event. A re-import of an unchanged file reads no user
 * back at all. The check errs on the side of "not settled": such a line is decided as any other.
 */
export abstract class SettledLines {
  abstract settle(networkId: string, mode: ImportMode, probes: readonly LineProbe[]): Promise<Settlement>;
}

export interface Settlement {
  /** The positions (`at`) of the settled lines. */
  readonly lines: ReadonlySet<number>;
  /** Skip mode: how many of them have an Enabled cell that would activate or deactivate their user. */
  readonly enabledIgnored: number;
}
