import type { RecordedEvent } from '../../../src/shared/application/ports/event-store.port.js';
import { differingFields, replayedUser } from '../../../src/modules/users/application/replay-users/user-row-differences.js';
import type { UserSnapshot } from '../../../src/modules/users/application/ports/user-read-model.port.js';

const USER = '01a25170-a5ce-7801-808e-2661fc17a64a';
const BOSS = '01a25170-a5ce-7801-808e-2661fc17a64b';
const IMPORT = '9d2b8a1e-0c1f-4a7e-9a55-1d3c0b7f2e10';

function recorded(streamVersion: number, type: string, data: object, at: string, schemaVersion = 1): RecordedEvent {
  return {
    position: String(streamVersion),
    eventId: `00000000-0000-4000-8000-00000000000${streamVersion}`,
    type,
    schemaVersion,
    data,
    metadata: { networkId: 'acme', actorId: 'admin', correlationId: 'c' },
    recordedAt: new Date(at),
    streamType: 'user',
    streamId: USER,
    streamVersion,
  };
}

const created = recorded(
  1,
  'UserCreated',
  { userId: USER, networkId: 'acme', email: 'ann@acme.example', name: 'Ann', firstName: null, lastName: null, title: null, mobile: null, managerId: null, managerEmail: null, importId: IMPORT },
  '2026-12-01T10:00:00.000Z',
  2,
);

describe('replaying a user’s stream', () => {
  it('gives the row of the state after the last event: its version, created at the first event, changed at the last', () => {
    const stream = [
      created,
      recorded(2, 'UserProfileUpdated', { userId: USER, changes: { title: 'Engineer' } }, '2026-12-01T11:00:00.000Z'),
      recorded(3, 'UserManagerAssigned', { userId: USER, managerId: BOSS, managerEmail: 'boss@acme.example' }, '2026-12-01T12:00:00.000Z'),
      recorded(4, 'UserDeactivated', { userId: USER }, '2026-12-02T09:30:00.000Z'),
      recorded(5, 'UserInvitationRequested', { userId: USER, networkId: 'acme', email: 'ann@acme.example', name: 'Ann' }, '2026-12-02T09:31:00.000Z'),
    ];
    expect(replayedUser(stream)).toEqual({
      user: expect.objectContaining({
        userId: USER,
        title: 'Engineer',
        managerId: BOSS,
        status: 'deactivated',
        invitation: 'requested',
        createdByImportId: IMPORT,
        version: 5,
        createdAt: new Date('2026-12-01T10:00:00.000Z'),
        updatedAt: new Date('2026-12-02T09:31:00.000Z'),
      }),
    });
  });

  it('gives no row for a stream that never created the user', () => {
    expect(replayedUser([recorded(1, 'UserDeactivated', { userId: USER }, '2026-12-01T10:00:00.000Z')])).toEqual({ user: null });
  });

  it('will not replay an event type it does not know, or a newer schema version of one it knows', () => {
    expect(replayedUser([created, recorded(2, 'UserNicknamed', {}, '2026-12-01T11:00:00.000Z')])).toEqual({
      unreadable: 'event 2 is a UserNicknamed, which this release does not know',
    });
    expect(replayedUser([created, recorded(2, 'UserDeactivated', { userId: USER }, '2026-12-01T11:00:00.000Z', 2)])).toEqual({
      unreadable: "event 2 is a UserDeactivated of schema version 2, newer than this release's 1",
    });
  });
});

describe('comparing a stored row with the replayed one', () => {
  const replayed = (replayedUser([created]) as { user: UserSnapshot }).user;

  it('names the columns that differ, times to the millisecond, and not the manager’s e-mail (the table keeps its id)', () => {
    expect(differingFields(replayed, { ...replayed })).toEqual([]);
    expect(differingFields(replayed, { ...replayed, managerEmail: 'someone@acme.example' })).toEqual([]);
    expect(
      differingFields(replayed, { ...replayed, title: 'Hacked', status: 'deactivated', version: 2, updatedAt: new Date(replayed.updatedAt.getTime() + 1) }),
    ).toEqual(['title', 'status', 'version', 'updated_at']);
    expect(differingFields(replayed, { ...replayed, createdByImportId: null, networkId: 'other' })).toEqual(['network_id', 'created_by_import_id']);
  });
});
