/**
 * The users table checked against the events (ReplayUsersCommand, as `office-chat-users replay-users` runs it):
 * after a race between writers, every row must still be exactly what its user's events give.
 *
 *   await expectUsersMatchEvents(t, network);
 */
import { CommandBus } from '@nestjs/cqrs';
import { ReplayUsersCommand } from '../../src/modules/users/application/replay-users/replay-users.command.js';
import type { TestApp } from './app.js';

export async function expectUsersMatchEvents(t: TestApp, networkId: string): Promise<void> {
  const report = await t.app.get(CommandBus).execute(new ReplayUsersCommand({ networkId, repair: false }));
  expect({ differences: report.differences, examples: report.examples }).toEqual({
    differences: { missing: 0, unbacked: 0, different: 0, unreadable: 0 },
    examples: [],
  });
}
