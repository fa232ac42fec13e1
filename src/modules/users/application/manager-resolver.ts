import { Injectable } from '@nestjs/common';
import { ValidationError } from '../../../shared/application/application-errors.js';
import type { ManagerRef } from '../domain/user.commands.js';
import { emailKey } from '../domain/email-address.js';
import type { Transaction } from '../../../shared/application/ports/unit-of-work.port.js';
import { ManagementChainLock } from './ports/management-chain-lock.port.js';
import { UserReadModel } from './ports/user-read-model.port.js';

/** Turns the API's `managerId` or `managerEmail` into a reference to a user of the same network. */
@Injectable()
export class ManagerResolver {
  constructor(
    private readonly users: UserReadModel,
    private readonly chain: ManagementChainLock,
  ) {}

  async resolve(networkId: string, input: { managerId?: string | null; managerEmail?: string | null }): Promise<ManagerRef | null | undefined> {
    if (input.managerId !== undefined && input.managerEmail !== undefined) {
      // Both given: they must name the same user (or both none), or one of them would be silently ignored.
      const byId = await this.resolve(networkId, { managerId: input.managerId });
      const byEmail = await this.resolve(networkId, { managerEmail: input.managerEmail });
      if ((byId?.id ?? null) !== (byEmail?.id ?? null)) {
        throw new ValidationError('managerId and managerEmail name different managers: give one of them.', 'managerEmail');
      }
      return byId;
    }
    if (input.managerId === null || input.managerEmail === null) return null;
    if (input.managerId !== undefined) {
      const manager = await this.users.findById(networkId, input.managerId);
      if (!manager) throw new ValidationError(`No user with id ${input.managerId} in this network can be the manager.`, 'managerId');
      return { id: manager.userId, email: manager.email };
    }
    if (input.managerEmail !== undefined) {
      const manager = (await this.users.findByEmailKeys(networkId, [emailKey(input.managerEmail)])).get(emailKey(input.managerEmail));
      if (!manager) throw new ValidationError(`No user with e-mail ${input.managerEmail} in this network can be the manager.`, 'managerEmail');
      return { id: manager.userId, email: manager.email };
    }
    return undefined;
  }

  /**
   * Refuses `manager` as `userId`'s new manager when they report to the user, directly or through others: the link
   * would close a management cycle. Runs in the transaction that makes the change, holding the network's management
   * chain until it commits. (A user as their own manager is the user decider's to refuse.)
   */
  async refuseCycle(tx: Transaction, networkId: string, userId: string, manager: ManagerRef, field: 'managerId' | 'managerEmail'): Promise<void> {
    if (manager.id === userId) return;
    await this.chain.hold(tx, networkId);
    if (await this.users.isAbove(networkId, userId, manager.id, tx)) {
      throw new ValidationError(
        `${manager.email} reports to this user, directly or through others: as this user's manager they would make a management cycle.`,
        field,
      );
    }
  }
}
