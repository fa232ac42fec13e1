import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ReplayUsersCommand, type UserRowDifference, type UsersReplayReport } from '../../application/replay-users/replay-users.command.js';

export interface ReplayUsersCliOptions {
  readonly network?: string;
  readonly repair: boolean;
  readonly json: boolean;
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`;

const SAYS: Record<UserRowDifference['kind'], (d: UserRowDifference) => string> = {
  missing: () => 'no row, though the events give this user',
  unbacked: () => 'a row that no user’s events give',
  different: (d) => `differs in ${d.fields.join(', ')}`,
  unreadable: (d) => `cannot be replayed: ${d.reason ?? 'unknown events'} (its row is left as it is)`,
};

/** The report in words: what was compared, what differs, and what was done about it. */
export function describeReplay(report: UsersReplayReport, repair: boolean): string {
  const scope = report.networkId === null ? 'every network' : `network ${report.networkId}`;
  const lines = [
    `Replayed ${plural(report.users, 'user', 'users')} (${plural(report.events, 'event', 'events')}) of ${scope} against ${plural(report.rows, 'row', 'rows')} of the users table.`,
  ];
  const { missing, unbacked, different, unreadable } = report.differences;
  const total = missing + unbacked + different + unreadable;
  if (total === 0) return `${lines[0]}\nThe users table is what the events give.\n`;
  lines.push(
    `${plural(total, 'difference', 'differences')} between the events and the table (${count(missing)} missing, ${count(different)} different, ${count(unbacked)} with no events${unreadable > 0 ? `, ${count(unreadable)} with events this release cannot replay` : ''}):`,
  );
  for (const d of report.examples) lines.push(`  ${d.networkId}  ${d.userId}  ${SAYS[d.kind](d)}`);
  if (total > report.examples.length) lines.push(`  … and ${count(total - report.examples.length)} more`);
  if (repair) lines.push(`Repaired: ${plural(report.repaired, 'row', 'rows')} rewritten from the events or deleted.`);
  else if (missing + different + unbacked > 0) lines.push('Nothing was changed: run again with --repair to rewrite them from the events.');
  if (unreadable > 0) lines.push('Events this release cannot replay were written by a newer one: check with that release.');
  return `${lines.join('\n')}\n`;
}

/** Exit code 0 when the table is (now) what the events give, 1 when a check found rows that are not. */
export async function runReplayUsersCli(app: INestApplicationContext, options: ReplayUsersCliOptions): Promise<0 | 1> {
  const report = await app.get(CommandBus).execute(new ReplayUsersCommand({ networkId: options.network, repair: options.repair }));
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : describeReplay(report, options.repair));
  const { missing, unbacked, different, unreadable } = report.differences;
  return unreadable === 0 && (options.repair || missing + unbacked + different === 0) ? 0 : 1;
}
