/**
 * The admin guide's modes table, one row of the file at a time (decideImportRow): whether the user exists, the
 * mode, and the Enabled cell decide created / updated / unchanged / skipped / rejected and the events.
 */
import { composedName, decideImportRow, type RowDecisionOptions, type ImportRowInput } from '../../../src/modules/imports/domain/import-row-decision.js';
import type { ExistingUser } from '../../../src/modules/users/domain/user.decider.js';

const now = new Date('2026-11-25T10:00:00.000Z');
const NEW_ID = '11111111-1111-4111-8111-111111111111';
const EXISTING_ID = '22222222-2222-4222-8222-222222222222';
const BOSS_ID = '33333333-3333-4333-8333-333333333333';
const IMPORT = '44444444-4444-4444-8444-444444444444';

const row = (over: Partial<ImportRowInput> = {}): ImportRowInput => ({
  line: 2,
  email: 'will@acme.example',
  name: 'Will Smith',
  enabled: null,
  newUserId: NEW_ID,
  ...over,
});

const existing = (over: Partial<ExistingUser> = {}): ExistingUser => ({
  kind: 'existing',
  userId: EXISTING_ID,
  networkId: 'acme',
  email: 'will@acme.example',
  name: 'Will Smith',
  firstName: 'Will',
  lastName: 'Smith',
  title: 'Engineer',
  mobile: '+911234123411',
  managerId: null,
  managerEmail: null,
  status: 'active',
  invitation: 'none',
  createdByImportId: null,
  ...over,
});

const opts = (over: Partial<RowDecisionOptions> = {}): RowDecisionOptions => ({
  mode: 'skip',
  autoSendInvites: false,
  importId: IMPORT,
  networkId: 'acme',
  now,
  ...over,
});

const types = (outcome: ReturnType<typeof decideImportRow>) => ('events' in outcome ? outcome.events.map((e) => e.type) : []);

describe('a user who does not exist yet', () => {
  it.each([
    ['skip', true],
    ['skip', null],
    ['update', true],
    ['update', null],
  ] as const)('mode %s, Enabled %s: created, active, with the import id', (mode, enabled) => {
    const outcome = decideImportRow(row({ enabled }), undefined, opts({ mode }));
    expect(outcome.kind).toBe('created');
    expect(types(outcome)).toEqual(['UserCreated']);
    if (outcome.kind !== 'created') throw new Error('unreachable');
    expect(outcome.next).toMatchObject({ userId: NEW_ID, status: 'active', invitation: 'none', createdByImportId: IMPORT });
    expect(outcome.activated).toBe(false);
    expect(outcome.deactivated).toBe(false);
  });

  it.each(['skip', 'update'] as const)('mode %s, Enabled FALSE: skipped, never created', (mode) => {
    const outcome = decideImportRow(row({ enabled: false }), undefined, opts({ mode }));
    expect(outcome).toEqual({ kind: 'skipped', reason: expect.stringMatching(/FALSE never creates a user/) });
  });

  it('gets UserInvitationRequested when invites are sent automatically, not otherwise', () => {
    expect(types(decideImportRow(row(), undefined, opts({ autoSendInvites: true })))).toEqual(['UserCreated', 'UserInvitationRequested']);
    expect(types(decideImportRow(row(), undefined, opts({ autoSendInvites: false })))).toEqual(['UserCreated']);
  });

  it('with a resolved manager: UserCreated carries it, and the new user starts with that manager', () => {
    const outcome = decideImportRow(row({ manager: { id: BOSS_ID, email: 'boss@acme.example' } }), undefined, opts());
    expect(types(outcome)).toEqual(['UserCreated']);
    expect(outcome.kind === 'created' && outcome.events[0].data).toMatchObject({ userId: NEW_ID, managerId: BOSS_ID, managerEmail: 'boss@acme.example' });
    expect(outcome.kind === 'created' && outcome.next).toMatchObject({ managerId: BOSS_ID, managerEmail: 'boss@acme.example' });
  });

  it('needs a name: composed from first and last name, else rejected naming the name field', () => {
    const composed = decideImportRow(row({ name: undefined, firstName: 'Will', lastName: 'Smith' }), undefined, opts());
    expect(composed.kind === 'created' && composed.next.name).toBe('Will Smith');
    expect(decideImportRow(row({ name: undefined, lastName: 'Smith' }), undefined, opts())).toMatchObject({ kind: 'created', next: { name: 'Smith' } });
    expect(decideImportRow(row({ name: undefined }), undefined, opts())).toEqual({
      kind: 'rejected',
      reason: 'line 2: a new user needs a name, or a first or last name to make it from',
      field: 'name',
    });
  });

  it('a line whose e-mail an earlier line had is rejected pointing at that line, whether or not the user exists', () => {
    const duplicate = { kind: 'rejected', reason: 'line 7: this e-mail address already appears on line 2; each user may appear only once', field: 'email' };
    expect(decideImportRow(row({ line: 7, duplicateOf: 2 }), undefined, opts())).toEqual(duplicate);
    expect(decideImportRow(row({ line: 7, duplicateOf: 2 }), existing(), opts({ mode: 'update' }))).toEqual(duplicate);
  });
});

describe('a user who exists, mode skip', () => {
  it.each([true, false, null])('Enabled %s: skipped, nothing decided', (enabled) => {
    const outcome = decideImportRow(row({ enabled, title: 'CEO' }), existing({ status: 'deactivated' }), opts({ mode: 'skip' }));
    expect(outcome.kind).toBe('skipped');
  });
});

describe('a user who exists, mode update', () => {
  const update = opts({ mode: 'update' });

  it('Enabled TRUE: fields updated, and activated when deactivated', () => {
    const outcome = decideImportRow(row({ enabled: true, title: 'CTO' }), existing({ status: 'deactivated' }), update);
    expect(outcome).toMatchObject({ kind: 'updated', activated: true, deactivated: false, next: { userId: EXISTING_ID, title: 'CTO', status: 'active' } });
    expect(types(outcome)).toEqual(['UserProfileUpdated', 'UserActivated']);
  });

  it('Enabled TRUE on an active user: updated, not counted as activated', () => {
    const outcome = decideImportRow(row({ enabled: true, title: 'CTO' }), existing(), update);
    expect(outcome).toMatchObject({ kind: 'updated', activated: false, deactivated: false });
    expect(types(outcome)).toEqual(['UserProfileUpdated']);
  });

  it('Enabled FALSE: fields updated and deactivated when active', () => {
    const outcome = decideImportRow(row({ enabled: false, title: 'CTO' }), existing(), update);
    expect(outcome).toMatchObject({ kind: 'updated', activated: false, deactivated: true, next: { status: 'deactivated' } });
    expect(types(outcome)).toEqual(['UserProfileUpdated', 'UserDeactivated']);
  });

  it('Enabled blank: fields updated, state untouched', () => {
    for (const status of ['active', 'deactivated'] as const) {
      const outcome = decideImportRow(row({ enabled: null, title: 'CTO' }), existing({ status }), update);
      expect(outcome).toMatchObject({ kind: 'updated', activated: false, deactivated: false, next: { status } });
      expect(types(outcome)).toEqual(['UserProfileUpdated']);
    }
  });

  it('only the state changes: updated, with the state event alone', () => {
    const outcome = decideImportRow(row({ enabled: false }), existing(), update);
    expect(outcome.kind).toBe('updated');
    expect(types(outcome)).toEqual(['UserDeactivated']);
  });

  it('patches: a blank cell leaves the field, only what differs is in the event, the id stays', () => {
    const outcome = decideImportRow(row({ name: undefined, title: 'CTO', mobile: undefined, firstName: undefined }), existing(), update);
    expect(outcome.kind === 'updated' && outcome.events).toEqual([{ type: 'UserProfileUpdated', data: { userId: EXISTING_ID, changes: { title: 'CTO' } } }]);
    expect(outcome).toMatchObject({ next: { userId: EXISTING_ID, name: 'Will Smith', mobile: '+911234123411', firstName: 'Will' } });
  });

  it('a row that matches the user is unchanged, with no event; a new user is never created for it', () => {
    const same = row({ name: 'Will Smith', firstName: 'Will', lastName: 'Smith', title: 'Engineer', mobile: '+911234123411', enabled: true });
    const outcome = decideImportRow(same, existing(), update);
    expect(outcome).toMatchObject({ kind: 'unchanged', events: [], activated: false, deactivated: false, next: { userId: EXISTING_ID } });
  });

  it('FALSE on a deactivated user, TRUE on an active one: unchanged', () => {
    expect(decideImportRow(row({ name: 'Will Smith', enabled: false }), existing({ status: 'deactivated' }), update).kind).toBe('unchanged');
    expect(decideImportRow(row({ name: 'Will Smith', enabled: true }), existing(), update).kind).toBe('unchanged');
  });

  it('the same manager again is no change; a different one is UserManagerAssigned', () => {
    const withBoss = existing({ managerId: BOSS_ID, managerEmail: 'boss@acme.example' });
    expect(decideImportRow(row({ manager: { id: BOSS_ID, email: 'boss@acme.example' } }), withBoss, update).kind).toBe('unchanged');
    const other = '55555555-5555-4555-8555-555555555555';
    const outcome = decideImportRow(row({ manager: { id: other, email: 'other@acme.example' } }), withBoss, update);
    expect(types(outcome)).toEqual(['UserManagerAssigned']);
  });

  it('never requests an invitation for an existing user, even with autoSendInvites', () => {
    const outcome = decideImportRow(row({ title: 'CTO' }), existing(), opts({ mode: 'update', autoSendInvites: true }));
    expect(types(outcome)).toEqual(['UserProfileUpdated']);
  });
});

describe('composedName', () => {
  it('prefers the name cell, else joins first and last name; undefined when there is none', () => {
    expect(composedName({ name: 'W. Smith', firstName: 'Will', lastName: 'Smith' })).toBe('W. Smith');
    expect(composedName({ firstName: 'Will', lastName: 'Smith' })).toBe('Will Smith');
    expect(composedName({ firstName: 'Will' })).toBe('Will');
    expect(composedName({})).toBeUndefined();
  });
});
