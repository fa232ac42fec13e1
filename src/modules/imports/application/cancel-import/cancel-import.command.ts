import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../shared/application/command-context.js';
import type { ImportRecord } from '../ports/import-store.port.js';

export interface CancelOutcome {
  /** The import as it stands after the request. */
  readonly record: ImportRecord;
  /** True: it has ended (failed, saying it was cancelled); false: the instance running it stops at its next batch. */
  readonly ended: boolean;
}

/** Stops an import that has not ended: what it applied stays, nothing more is applied. */
export class CancelImportCommand extends Command<CancelOutcome> {
  constructor(
    readonly context: CommandContext,
    readonly importId: string,
  ) {
    super();
  }
}
