import { DomainError } from '../../../shared/domain/domain-error.js';
import { assertNever, type Decider } from '../../../shared/domain/event.js';
import type { ManagerRef, UpdateUser, UserCommand } from './user.commands.js';
import type { ProfileChanges, UserEvent } from './user.events.js';

export type UserStatus = 'active' | 'deactivated';

export interface ExistingUser {
  readonly kind: 'existing';
  readonly userId: string;
  readonly networkId: string;
  readonly email: string;
  readonly name: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly title: string | null;
  readonly mobile: string | null;
  readonly managerId: string | null;
  readonly managerEmail: string | null;
  readonly status: UserStatus;
  readonly invitation: 'none' | 'requested';
  readonly createdByImportId: string | null;
}

export type UserState = { readonly kind: 'absent' } | ExistingUser;

export const initialState = (): UserState => ({ kind: 'absent' });

export function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated': {
      const d = event.data;
      return {
        kind: 'existing',
        userId: d.userId,
        networkId: d.networkId,
        email: d.email,
        name: d.name,
        firstName: d.firstName,
        lastName: d.lastName,
        title: d.title,
        mobile: d.mobile,
        managerId: d.managerId,
        managerEmail: d.managerEmail,
        status: 'active',
        invitation: 'none',
        createdByImportId: d.importId ?? null,
      };
    }
    case 'UserProfileUpdated':
      return state.kind === 'existing' ? { ...state, ...event.data.changes } : state;
    case 'UserDeactivated':
      return state.kind === 'existing' ? { ...state, status: 'deactivated' } : state;
    case 'UserActivated':
      return state.kind === 'existing' ? { ...state, status: 'active' } : state;
    case 'UserManagerAssigned':
      return state.kind === 'existing'
        ? { ...state, managerId: event.data.managerId, managerEmail: event.data.managerEmail }
        : state;
    case 'UserInvitationRequested':
      return state.kind === 'existing' ? { ...state, invitation: 'requested' } : state;
    default:
      return assertNever(event);
  }
}

const PROFILE_KEYS = ['email', 'name', 'firstName', 'lastName', 'title', 'mobile'] as const;

/** Keeps only the changes that differ from the current values, so an update event lists what really changed. */
function effectiveChanges(user: ExistingUser, changes: ProfileChanges): ProfileChanges {
  const out: Record<string, string | null> = {};
  for (const key of PROFILE_KEYS) {
    const next = changes[key];
    if (next === undefined || next === user[key]) continue;
    if ((key === 'email' || key === 'name') && next === null) {
      throw new DomainError('invalid-value', `${key === 'email' ? 'E-mail' : 'Name'} cannot be empty.`, key);
    }
    out[key] = next;
  }
  return out as ProfileChanges;
}

function managerChange(user: ExistingUser, manager: ManagerRef | null | undefined): UserEvent[] {
  if (manager === undefined) return [];
  if (manager !== null && manager.id === user.userId) {
    throw new DomainError('invalid-value', 'A user cannot be their own manager.', 'managerId');
  }
  const nextId = manager?.id ?? null;
  if (nextId === user.managerId) return [];
  return [
    {
      type: 'UserManagerAssigned',
      data: { userId: user.userId, managerId: nextId, managerEmail: manager?.email ?? null },
    },
  ];
}

function requireExisting(state: UserState): ExistingUser {
  if (state.kind !== 'existing') throw new DomainError('not-found', 'This user does not exist in this network.');
  return state;
}

function decideUpdate(command: UpdateUser, state: UserState): UserEvent[] {
  const user = requireExisting(state);
  const events: UserEvent[] = [];
  const changes = effectiveChanges(user, command.data.changes);
  if (Object.keys(changes).length > 0) events.push({ type: 'UserProfileUpdated', data: { userId: user.userId, changes } });
  events.push(...managerChange(user, command.data.manager));
  if (command.data.active === true && user.status === 'deactivated') {
    events.push({ type: 'UserActivated', data: { userId: user.userId } });
  }
  if (command.data.active === false && user.status === 'active') {
    events.push({ type: 'UserDeactivated', data: { userId: user.userId } });
  }
  return events;
}

/**
 * Decides which facts a command produces. An empty list means the command changes nothing (activating an active
 * user): the caller appends nothing and says so.
 */
export function decide(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'CreateUser': {
      if (state.kind === 'existing') throw new DomainError('already-exists', 'This user already exists.');
      const d = command.data;
      if (d.name.trim() === '') throw new DomainError('invalid-value', 'A new user needs a name.', 'name');
      if (d.manager && d.manager.id === d.userId) {
        throw new DomainError('invalid-value', 'A user cannot be their own manager.', 'managerId');
      }
      const events: UserEvent[] = [
        {
          type: 'UserCreated',
          data: {
            userId: d.userId,
            networkId: d.networkId,
            email: d.email,
            name: d.name,
            firstName: d.firstName ?? null,
            lastName: d.lastName ?? null,
            title: d.title ?? null,
            mobile: d.mobile ?? null,
            managerId: d.manager?.id ?? null,
            managerEmail: d.manager?.email ?? null,
            ...(d.importId ? { importId: d.importId } : {}),
          },
        },
      ];
      if (d.active === false) events.push({ type: 'UserDeactivated', data: { userId: d.userId } });
      if (d.requestInvitation && d.active !== false) {
        events.push({ type: 'UserInvitationRequested', data: { userId: d.userId, networkId: d.networkId, email: d.email, name: d.name } });
      }
      return events;
    }
    case 'UpdateUser':
      return decideUpdate(command, state);
    case 'DeactivateUser': {
      const user = requireExisting(state);
      return user.status === 'active' ? [{ type: 'UserDeactivated', data: { userId: user.userId } }] : [];
    }
    case 'ActivateUser': {
      const user = requireExisting(state);
      return user.status === 'deactivated' ? [{ type: 'UserActivated', data: { userId: user.userId } }] : [];
    }
    case 'RequestInvitation': {
      const user = requireExisting(state);
      if (user.status === 'deactivated') {
        throw new DomainError('invalid-state', 'A deactivated user cannot be invited; activate them first.');
      }
      if (user.invitation === 'requested') return [];
      return [
        {
          type: 'UserInvitationRequested',
          data: { userId: user.userId, networkId: user.networkId, email: user.email, name: user.name },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = { initialState, evolve, decide };
