import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../../../shared/application/application-errors.js';
import { Clock } from '../../../../shared/application/ports/clock.port.js';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import { ImportProcessor } from '../process-import/import-processor.js';
import { ImportRepository } from '../ports/import-store.port.js';
import { DistributedLock, importLockKey } from '../ports/network-lock.port.js';
import { CancelImportCommand, type CancelOutcome } from './cancel-import.command.js';

/**
 * The request is recorded first, where every instance sees it: the one applying the import stops at its next batch.
 * A queued import ends at once, even while another import of its network holds the network's import lock; one whose
 * process stopped ends at once when this instance can take that lock.
 */
@CommandHandler(CancelImportCommand)
export class CancelImportHandler implements ICommandHandler<CancelImportCommand, CancelOutcome> {
  constructor(
    private readonly imports: ImportRepository,
    private readonly processor: ImportProcessor,
    private readonly locks: DistributedLock,
    private readonly clock: Clock,
  ) {}

  async execute({ context, importId }: CancelImportCommand): Promise<CancelOutcome> {
    const record = await this.imports.get(context.networkId, importId);
    if (!record) throw new NotFoundError(`There is no import ${importId} in network ${context.networkId}.`);
    const requested = await this.imports.requestCancel(importId, context.actor.email ?? context.actor.id, this.clock.now());
    if (!requested) throw new DomainError('invalid-state', `This import has already ended (${record.status}): there is nothing to cancel.`);
    if (!(await this.processor.cancelQueued(importId))) {
      const lock = await this.locks.tryAcquire(importLockKey(context.networkId));
      if (lock) {
        try {
          await this.processor.cancelNow(importId);
        } finally {
          await lock.release();
        }
      }
    }
    const now = (await this.imports.get(context.networkId, importId))!;
    return { record: now, ended: now.phase === 'done' };
  }
}
