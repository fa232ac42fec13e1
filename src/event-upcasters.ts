import { IMPORT_EVENT_UPCASTERS } from './modules/imports/application/import-event.upcasters.js';
import { USER_EVENT_UPCASTERS } from './modules/users/application/user-event.upcasters.js';

/** Every module's upcasters: what the event store and the relay read older stored events with. */
export const EVENT_UPCASTERS = [...USER_EVENT_UPCASTERS, ...IMPORT_EVENT_UPCASTERS];
