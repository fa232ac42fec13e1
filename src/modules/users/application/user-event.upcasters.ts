import type { Upcaster } from '../../../shared/application/event-upcasters.js';

/**
 * How stored user events of an older schema read today. UserCreated 1 → 2: version 2 carries the manager the
 * user starts with (a creation with a manager was UserCreated then UserManagerAssigned); a version 1 user started
 * with none, and its UserManagerAssigned, still in its stream, sets the manager as it always did.
 */
export const USER_EVENT_UPCASTERS: readonly Upcaster[] = [
  { type: 'UserCreated', fromVersion: 1, upcast: (data) => ({ ...data, managerId: null, managerEmail: null }) },
];
