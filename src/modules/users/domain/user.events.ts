import type { DomainEvent } from '../../../shared/domain/event.js';

/** Profile fields an admin can set. `null` in a change means the field was cleared. */
export interface UserProfile {
  readonly name: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly title: string | null;
  readonly mobile: string | null;
}

/** `managerId` null: no manager. */
export interface UserManager {
  readonly managerId: string | null;
  readonly managerEmail: string | null;
}

export type ProfileChanges = Partial<{
  email: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  mobile: string | null;
}>;

/** Schema version 2 carries the manager the user starts with (version 1 had none: upcast with no manager). */
export type UserCreated = DomainEvent<
  'UserCreated',
  { userId: string; networkId: string; email: string } & UserProfile & UserManager & { importId?: string }
>;
/** Only the fields that changed, with their new values. */
export type UserProfileUpdated = DomainEvent<'UserProfileUpdated', { userId: string; changes: ProfileChanges }>;
export type UserDeactivated = DomainEvent<'UserDeactivated', { userId: string }>;
export type UserActivated = DomainEvent<'UserActivated', { userId: string }>;
/** `managerId` null means the manager was removed. */
export type UserManagerAssigned = DomainEvent<'UserManagerAssigned', { userId: string } & UserManager>;
/** Downstream invite services act on this one: it carries what they need to write the invitation. */
export type UserInvitationRequested = DomainEvent<
  'UserInvitationRequested',
  { userId: string; networkId: string; email: string; name: string }
>;

export type UserEvent =
  | UserCreated
  | UserProfileUpdated
  | UserDeactivated
  | UserActivated
  | UserManagerAssigned
  | UserInvitationRequested;

export type UserEventType = UserEvent['type'];

/** Current schema version of each event type; bump it (and add an upcaster) when a payload changes shape. */
export const USER_EVENT_SCHEMA_VERSIONS: Readonly<Record<UserEventType, number>> = {
  UserCreated: 2,
  UserProfileUpdated: 1,
  UserDeactivated: 1,
  UserActivated: 1,
  UserManagerAssigned: 1,
  UserInvitationRequested: 1,
};
