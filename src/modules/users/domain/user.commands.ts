import type { DomainCommand } from '../../../shared/domain/event.js';
import type { ProfileChanges } from './user.events.js';

export interface ManagerRef {
  readonly id: string;
  readonly email: string;
}

export type CreateUser = DomainCommand<
  'CreateUser',
  {
    userId: string;
    networkId: string;
    email: string;
    name: string;
    firstName?: string | null;
    lastName?: string | null;
    title?: string | null;
    mobile?: string | null;
    manager?: ManagerRef | null;
    /** Creating a user who is deactivated from the start; the import never does ("FALSE never creates"). */
    active?: boolean;
    requestInvitation?: boolean;
    importId?: string;
  }
>;

export type UpdateUser = DomainCommand<
  'UpdateUser',
  {
    changes: ProfileChanges;
    /** undefined: leave the manager as it is; null: remove it. */
    manager?: ManagerRef | null;
    /** undefined: leave the state; true/false: activate/deactivate (the import's Enabled column). */
    active?: boolean;
  }
>;

export type DeactivateUser = DomainCommand<'DeactivateUser', Record<string, never>>;
export type ActivateUser = DomainCommand<'ActivateUser', Record<string, never>>;
export type RequestInvitation = DomainCommand<'RequestInvitation', Record<string, never>>;

export type UserCommand = CreateUser | UpdateUser | DeactivateUser | ActivateUser | RequestInvitation;
