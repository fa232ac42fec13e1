import type { Upcaster } from '../../../shared/application/event-upcasters.js';

/**
 * How stored import events of an older schema read today. Version 2 of every import event after ImportStarted says
 * whether the import is a dry run; version 1 did not, and the event alone cannot tell, so it reads as null.
 */
export const IMPORT_EVENT_UPCASTERS: readonly Upcaster[] = (['ImportBatchApplied', 'ImportManagersLinked', 'ImportCompleted', 'ImportFailed'] as const).map(
  (type) => ({ type, fromVersion: 1, upcast: (data) => ({ ...data, dryRun: null }) }),
);
