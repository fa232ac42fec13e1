import { DomainError } from '../../../shared/domain/domain-error.js';
import type { ManagerRef } from '../../users/domain/user.commands.js';
import { decide, evolve, type ExistingUser } from '../../users/domain/user.decider.js';
import type { UserEvent } from '../../users/domain/user.events.js';
import type { ImportMode } from './import.events.js';

/** A validated line of the file, with what the import knows of it from the lines before and the network. */
export interface ImportRowInput {
  readonly line: number;
  readonly email: string;
  readonly name?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly title?: string;
  readonly mobile?: string;
  /** TRUE, FALSE or blank (null): blank leaves an existing user's state alone. */
  readonly enabled: boolean | null;
  /** The id the user gets if the line creates them; needed only then. */
  readonly newUserId?: string;
  /** undefined: the line sets no manager now, leave it as it is. */
  readonly manager?: ManagerRef;
  /** An earlier line of the file has the same e-mail: this one is rejected pointing at it. */
  readonly duplicateOf?: number;
}

export type RowOutcome =
  | { readonly kind: 'created' | 'updated' | 'unchanged'; readonly events: UserEvent[]; readonly next: ExistingUser; readonly activated: boolean; readonly deactivated: boolean }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string; readonly field?: string };

export interface RowDecisionOptions {
  readonly mode: ImportMode;
  readonly autoSendInvites: boolean;
  readonly importId: string;
  readonly networkId: string;
  readonly now: Date;
}

/** A new user's name: the `name` column, else first and last name joined. */
export function composedName(row: Pick<ImportRowInput, 'name' | 'firstName' | 'lastName'>): string | undefined {
  const name = row.name ?? [row.firstName, row.lastName].filter(Boolean).join(' ');
  return name.trim() === '' ? undefined : name.trim();
}

/**
 * The admin guide's table, one row at a time: what the import does to a user given whether they exist, the
 * mode and the Enabled cell. Changes go through the user decider, so an import can do nothing a command could not.
 */
export function decideImportRow(row: ImportRowInput, existing: ExistingUser | undefined, options: RowDecisionOptions): RowOutcome {
  if (row.duplicateOf !== undefined) {
    return { kind: 'rejected', reason: `line ${row.line}: this e-mail address already appears on line ${row.duplicateOf}; each user may appear only once`, field: 'email' };
  }
  const metadata = { now: options.now };
  try {
    if (!existing) {
      if (row.enabled === false) return { kind: 'skipped', reason: 'Enabled is FALSE and the user does not exist: FALSE never creates a user.' };
      const name = composedName(row);
      if (!name) return { kind: 'rejected', reason: `line ${row.line}: a new user needs a name, or a first or last name to make it from`, field: 'name' };
      if (row.newUserId === undefined) throw new Error(`Line ${row.line} creates a user but was given no id for them`);
      const events = decide(
        {
          type: 'CreateUser',
          data: {
            userId: row.newUserId,
            networkId: options.networkId,
            email: row.email,
            name,
            firstName: row.firstName ?? null,
            lastName: row.lastName ?? null,
            title: row.title ?? null,
            mobile: row.mobile ?? null,
            manager: row.manager ?? null,
            requestInvitation: options.autoSendInvites,
            importId: options.importId,
          },
          metadata,
        },
        { kind: 'absent' },
      );
      return { kind: 'created', events, next: events.reduce(evolve, { kind: 'absent' }) as ExistingUser, activated: false, deactivated: false };
    }
    if (options.mode === 'skip') return { kind: 'skipped', reason: 'The user already exists and the import skips existing users.' };
    const events = decide(
      {
        type: 'UpdateUser',
        data: {
          changes: { name: row.name, firstName: row.firstName, lastName: row.lastName, title: row.title, mobile: row.mobile },
          manager: row.manager,
          active: row.enabled ?? undefined,
        },
        metadata,
      },
      existing,
    );
    return {
      kind: events.length === 0 ? 'unchanged' : 'updated',
      events,
      next: events.reduce(evolve, existing) as ExistingUser,
      activated: events.some((e) => e.type === 'UserActivated'),
      deactivated: events.some((e) => e.type === 'UserDeactivated'),
    };
  } catch (error) {
    if (error instanceof DomainError) return { kind: 'rejected', reason: `line ${row.line}: ${error.message}`, field: error.field };
    throw error;
  }
}
