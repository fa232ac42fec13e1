import type { UserStatus } from '../../users/domain/user.decider.js';

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
