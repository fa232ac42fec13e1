import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';

/**
 * The e-mail keys of a file's lines past those an import holds in memory (EmailFingerprints' `maxKeys`), kept in the
 * database so that a file of any size is read in bounded memory. They stay until the import ends: a resumed import
 * finds the keys its earlier attempt recorded, with the lines they were recorded on.
 */
export abstract class SpilledEmails {
  /**
   * Records each key with its line unless the import has it already; answers, key by key, the line it was first
   * recorded on (its own line when it is new, the smallest of the given lines when a key comes twice).
   */
  abstract firstLines(importId: string, keys: readonly string[], lines: readonly number[]): Promise<readonly number[]>;

  abstract purge(tx: Transaction, importId: string): Promise<void>;
}
