import { Command } from '@nestjs/cqrs';

/**
 * Deletes the uploaded files nothing needs any more, which a process that died at the wrong moment left behind: the
 * file of an import that ended (the process died between the import's last commit and the delete), and a file no
 * import took up (it died between the upload and the import's creation) once it is `graceMs` old. Answers the
 * ids of the imports whose files it deleted.
 */
export class SweepImportFilesCommand extends Command<string[]> {
  constructor(readonly graceMs: number = SweepImportFilesCommand.DEFAULT_GRACE_MS) {
    super();
  }

  /** Far longer than the moment between an upload's last byte and its import's creation. */
  static readonly DEFAULT_GRACE_MS = 60 * 60 * 1000;
}
