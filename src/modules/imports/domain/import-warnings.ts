import type { ExistingUser, UserStatus } from '../../users/domain/user.decider.js';
import { composedName } from './import-row-decision.js';

/**
 * "Skip existing users" leaves an existing user as they are, their Enabled cell included, so a file meant to
 * activate or deactivate users in bulk changes nobody there: the report says so once, and what to choose instead.
 */
export const ENABLED_IGNORED_IN_SKIP_MODE =
  'Existing users were skipped although their "Enabled" value would activate or deactivate them: "Skip existing users" changes nothing about an existing user. To apply it, import the file again with "Update existing users".';

/** The line's Enabled cell would activate or deactivate a user in this state (a blank one never does). */
export function enabledWouldChange(enabled: boolean | null, status: UserStatus): boolean {
  return enabled !== null && enabled !== (status === 'active');
}

/** A file of headings only imports nobody without failing: the report must not look like a success that did something. */
export const NO_USERS_IN_FILE = 'The file has its column headings but no users below them: nothing was imported.';

/**
 * Update mode leaves a field the file has no column for (or a blank cell) as it is, the name included, so a user whose
 * name was their first and last name keeps the old one when the file changes those alone: the report says so once.
 */
export const NAME_LEFT_AS_IT_WAS =
  'Some users\' first or last name changed while their name, made of them, stayed as it was, because the file gives no name for them: add a "name" column with the new names to change those too.';

/** The update changed the first or last name a user's name was made of, and left the name as it was. */
export function nameLeftBehind(before: ExistingUser, after: ExistingUser): boolean {
  const was = composedName({ firstName: before.firstName ?? undefined, lastName: before.lastName ?? undefined });
  const wouldBe = composedName({ firstName: after.firstName ?? undefined, lastName: after.lastName ?? undefined });
  return after.name === before.name && before.name === was && wouldBe !== undefined && wouldBe !== was;
}
