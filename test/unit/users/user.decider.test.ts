import { deciderSpec } from '../../support/decider-spec.js';
import type { CreateUser, UpdateUser, UserCommand } from '../../../src/modules/users/domain/user.commands.js';
import { evolve, initialState, userDecider, type ExistingUser, type UserState } from '../../../src/modules/users/domain/user.decider.js';
import type { UserCreated, UserEvent } from '../../../src/modules/users/domain/user.events.js';
import { USER_EVENT_SCHEMA_VERSIONS } from '../../../src/modules/users/domain/user.events.js';
import { USER_EVENT_UPCASTERS } from '../../../src/modules/users/application/user-event.upcasters.js';

const spec = deciderSpec(userDecider);
const now = new Date('2026-11-25T10:00:00.000Z');
const NETWORK = 'acme';
const WILL = '11111111-1111-4111-8111-111111111111';
const ANNA = '22222222-2222-4222-8222-222222222222';
const BOB = '33333333-3333-4333-8333-333333333333';
const IMPORT = '44444444-4444-4444-8444-444444444444';

// ---- commands ---------------------------------------------------------------------------------------------
const createUser = (data: Partial<CreateUser['data']> = {}): CreateUser => ({
  type: 'CreateUser',
  data: { userId: WILL, networkId: NETWORK, email: 'will@acme.example', name: 'Will Smith', ...data },
  metadata: { now },
});
const updateUser = (data: Partial<UpdateUser['data']>): UpdateUser => ({
  type: 'UpdateUser',
  data: { changes: {}, ...data },
  metadata: { now },
});
const deactivateUser: UserCommand = { type: 'DeactivateUser', data: {}, metadata: { now } };
const activateUser: UserCommand = { type: 'ActivateUser', data: {}, metadata: { now } };
const requestInvitation: UserCommand = { type: 'RequestInvitation', data: {}, metadata: { now } };

// ---- events -----------------------------------------------------------------------------------------------
const created = (data: Partial<UserCreated['data']> = {}): UserEvent => ({
  type: 'UserCreated',
  data: {
    userId: WILL,
    networkId: NETWORK,
    email: 'will@acme.example',
    name: 'Will Smith',
    firstName: 'Will',
    lastName: 'Smith',
    title: 'Engineer',
    mobile: '+441234567890',
    managerId: null,
    managerEmail: null,
    ...data,
  },
});
const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId: WILL } };
const activated: UserEvent = { type: 'UserActivated', data: { userId: WILL } };
const managerAssigned = (managerId: string | null, managerEmail: string | null): UserEvent => ({
  type: 'UserManagerAssigned',
  data: { userId: WILL, managerId, managerEmail },
});
const invitationRequested = (email = 'will@acme.example', name = 'Will Smith'): UserEvent => ({
  type: 'UserInvitationRequested',
  data: { userId: WILL, networkId: NETWORK, email, name },
});
const profileUpdated = (changes: Record<string, string | null>): UserEvent => ({
  type: 'UserProfileUpdated',
  data: { userId: WILL, changes },
});

const existing = (state: UserState): ExistingUser => {
  expect(state.kind).toBe('existing');
  return state as ExistingUser;
};

describe('User decider', () => {
  describe('CreateUser', () => {
    it('given no events, creates the user with absent optional fields as null, active and not invited', () => {
      const state = spec
        .given([])
        .when(createUser())
        .then([
          {
            type: 'UserCreated',
            data: {
              userId: WILL,
              networkId: NETWORK,
              email: 'will@acme.example',
              name: 'Will Smith',
              firstName: null,
              lastName: null,
              title: null,
              mobile: null,
              managerId: null,
              managerEmail: null,
            },
          },
        ]);
      expect(state).toEqual({
        kind: 'existing',
        userId: WILL,
        networkId: NETWORK,
        email: 'will@acme.example',
        name: 'Will Smith',
        firstName: null,
        lastName: null,
        title: null,
        mobile: null,
        managerId: null,
        managerEmail: null,
        status: 'active',
        invitation: 'none',
        createdByImportId: null,
      });
    });

    it('carries every profile field and the import id into UserCreated', () => {
      const state = spec
        .given([])
        .when(createUser({ firstName: 'Will', lastName: 'Smith', title: 'Engineer', mobile: '+441234567890', importId: IMPORT }))
        .then([created({ importId: IMPORT })]);
      expect(existing(state).createdByImportId).toBe(IMPORT);
    });

    it('with a manager, UserCreated carries it: one fact, no UserManagerAssigned', () => {
      const state = spec
        .given([])
        .when(createUser({ manager: { id: ANNA, email: 'anna@acme.example' } }))
        .then([{ type: 'UserCreated', data: expect.objectContaining({ userId: WILL, managerId: ANNA, managerEmail: 'anna@acme.example' }) as never }]);
      expect(existing(state)).toMatchObject({ managerId: ANNA, managerEmail: 'anna@acme.example' });
    });

    it('a user created before UserCreated carried a manager (version 1, upcast) keeps the one UserManagerAssigned set', () => {
      const [upcast] = USER_EVENT_UPCASTERS;
      const { managerId: _m, managerEmail: _e, ...v1 } = (created() as UserCreated).data;
      const state = spec
        .given([{ type: 'UserCreated', data: upcast.upcast(v1) as UserCreated['data'] }, managerAssigned(ANNA, 'anna@acme.example')])
        .when(updateUser({ changes: {}, manager: { id: ANNA, email: 'anna@acme.example' } }))
        .then([]);
      expect(existing(state)).toMatchObject({ managerId: ANNA, managerEmail: 'anna@acme.example' });
    });

    it('created deactivated: UserCreated then UserDeactivated', () => {
      const state = spec
        .given([])
        .when(createUser({ active: false }))
        .then([{ type: 'UserCreated', data: expect.objectContaining({ userId: WILL }) as never }, deactivated]);
      expect(existing(state).status).toBe('deactivated');
    });

    it('with requestInvitation, also records UserInvitationRequested carrying what the invite needs', () => {
      const state = spec
        .given([])
        .when(createUser({ requestInvitation: true }))
        .then([{ type: 'UserCreated', data: expect.objectContaining({ userId: WILL }) as never }, invitationRequested()]);
      expect(existing(state).invitation).toBe('requested');
    });

    it('a user created deactivated is not invited even when asked', () => {
      spec
        .given([])
        .when(createUser({ active: false, requestInvitation: true }))
        .then([{ type: 'UserCreated', data: expect.objectContaining({ userId: WILL }) as never }, deactivated]);
    });

    it('refuses to create a user that already exists', () => {
      spec.given([created()]).when(createUser()).thenThrows('already-exists');
    });

    it('refuses a blank name, naming the field', () => {
      spec.given([]).when(createUser({ name: '   ' })).thenThrows('invalid-value', { field: 'name' });
    });

    it('refuses a user who is their own manager', () => {
      spec
        .given([])
        .when(createUser({ manager: { id: WILL, email: 'will@acme.example' } }))
        .thenThrows('invalid-value', { field: 'managerId', message: /own manager/ });
    });
  });

  describe('UpdateUser', () => {
    it('records only the fields that changed, with their new values', () => {
      const state = spec
        .given([created()])
        .when(updateUser({ changes: { name: 'Will Smith', firstName: 'Will', title: 'Lead Engineer', mobile: '+441234567890' } }))
        .then([profileUpdated({ title: 'Lead Engineer' })]);
      expect(existing(state)).toMatchObject({ title: 'Lead Engineer', name: 'Will Smith', mobile: '+441234567890' });
    });

    it('records several changed fields in one UserProfileUpdated', () => {
      const state = spec
        .given([created()])
        .when(updateUser({ changes: { email: 'w.smith@acme.example', name: 'William Smith', firstName: 'William', lastName: 'Smith' } }))
        .then([profileUpdated({ email: 'w.smith@acme.example', name: 'William Smith', firstName: 'William' })]);
      expect(existing(state)).toMatchObject({ email: 'w.smith@acme.example', name: 'William Smith', firstName: 'William' });
    });

    it('clearing a field records it as null', () => {
      const state = spec
        .given([created()])
        .when(updateUser({ changes: { title: null, mobile: null } }))
        .then([profileUpdated({ title: null, mobile: null })]);
      expect(existing(state)).toMatchObject({ title: null, mobile: null });
    });

    it('an update with the same values changes nothing: no event', () => {
      spec
        .given([created()])
        .when(
          updateUser({
            changes: { email: 'will@acme.example', name: 'Will Smith', firstName: 'Will', lastName: 'Smith', title: 'Engineer', mobile: '+441234567890' },
          }),
        )
        .thenNothing();
    });

    it('an empty update changes nothing', () => {
      spec.given([created()]).when(updateUser({})).thenNothing();
    });

    it('sees earlier updates: setting a value back to what it was before the last update is a change', () => {
      spec
        .given([created(), profileUpdated({ title: 'Lead' })])
        .when(updateUser({ changes: { title: 'Engineer' } }))
        .then([profileUpdated({ title: 'Engineer' })]);
      spec.given([created(), profileUpdated({ title: 'Lead' })]).when(updateUser({ changes: { title: 'Lead' } })).thenNothing();
    });

    it('refuses to clear the name or the e-mail', () => {
      spec
        .given([created()])
        .when(updateUser({ changes: { name: null as unknown as string } }))
        .thenThrows('invalid-value', { field: 'name' });
      spec
        .given([created()])
        .when(updateUser({ changes: { email: null as unknown as string } }))
        .thenThrows('invalid-value', { field: 'email' });
    });

    it('assigns a manager', () => {
      const state = spec
        .given([created()])
        .when(updateUser({ manager: { id: ANNA, email: 'anna@acme.example' } }))
        .then([managerAssigned(ANNA, 'anna@acme.example')]);
      expect(existing(state)).toMatchObject({ managerId: ANNA, managerEmail: 'anna@acme.example' });
    });

    it('replaces a manager', () => {
      spec
        .given([created(), managerAssigned(ANNA, 'anna@acme.example')])
        .when(updateUser({ manager: { id: BOB, email: 'bob@acme.example' } }))
        .then([managerAssigned(BOB, 'bob@acme.example')]);
    });

    it('the same manager again changes nothing', () => {
      spec
        .given([created(), managerAssigned(ANNA, 'anna@acme.example')])
        .when(updateUser({ manager: { id: ANNA, email: 'anna@acme.example' } }))
        .thenNothing();
    });

    it('removes the manager (manager: null) with UserManagerAssigned(null)', () => {
      const state = spec
        .given([created(), managerAssigned(ANNA, 'anna@acme.example')])
        .when(updateUser({ manager: null }))
        .then([managerAssigned(null, null)]);
      expect(existing(state)).toMatchObject({ managerId: null, managerEmail: null });
    });

    it('removing a manager the user does not have changes nothing', () => {
      spec.given([created()]).when(updateUser({ manager: null })).thenNothing();
    });

    it('manager undefined leaves the manager as it is', () => {
      spec.given([created(), managerAssigned(ANNA, 'anna@acme.example')]).when(updateUser({ manager: undefined })).thenNothing();
    });

    it('refuses a user as their own manager', () => {
      spec
        .given([created()])
        .when(updateUser({ manager: { id: WILL, email: 'will@acme.example' } }))
        .thenThrows('invalid-value', { field: 'managerId' });
    });

    it('active: false deactivates, active: true activates, and the current state changes nothing', () => {
      spec.given([created()]).when(updateUser({ active: false })).then([deactivated]);
      spec.given([created(), deactivated]).when(updateUser({ active: true })).then([activated]);
      spec.given([created()]).when(updateUser({ active: true })).thenNothing();
      spec.given([created(), deactivated]).when(updateUser({ active: false })).thenNothing();
    });

    it('profile, manager and state in one command: events in that order', () => {
      spec
        .given([created()])
        .when(updateUser({ changes: { title: 'CTO' }, manager: { id: ANNA, email: 'anna@acme.example' }, active: false }))
        .then([profileUpdated({ title: 'CTO' }), managerAssigned(ANNA, 'anna@acme.example'), deactivated]);
    });

    it('a deactivated user can still be updated', () => {
      spec.given([created(), deactivated]).when(updateUser({ changes: { title: 'Alumnus' } })).then([profileUpdated({ title: 'Alumnus' })]);
    });

    it('refuses to update a user that does not exist', () => {
      spec.given([]).when(updateUser({ changes: { title: 'X' } })).thenThrows('not-found');
    });
  });

  describe('DeactivateUser', () => {
    it('deactivates an active user', () => {
      const state = spec.given([created()]).when(deactivateUser).then([deactivated]);
      expect(existing(state).status).toBe('deactivated');
    });

    it('deactivating a deactivated user changes nothing', () => {
      spec.given([created(), deactivated]).when(deactivateUser).thenNothing();
    });

    it('refuses a user that does not exist', () => {
      spec.given([]).when(deactivateUser).thenThrows('not-found');
    });
  });

  describe('ActivateUser', () => {
    it('activates a deactivated user', () => {
      const state = spec.given([created(), deactivated]).when(activateUser).then([activated]);
      expect(existing(state).status).toBe('active');
    });

    it('activating an active user changes nothing', () => {
      spec.given([created()]).when(activateUser).thenNothing();
      spec.given([created(), deactivated, activated]).when(activateUser).thenNothing();
    });

    it('refuses a user that does not exist', () => {
      spec.given([]).when(activateUser).thenThrows('not-found');
    });
  });

  describe('RequestInvitation', () => {
    it('invites an active user, with the e-mail and name as they are now', () => {
      const state = spec
        .given([created(), profileUpdated({ email: 'w.smith@acme.example', name: 'William Smith' })])
        .when(requestInvitation)
        .then([invitationRequested('w.smith@acme.example', 'William Smith')]);
      expect(existing(state).invitation).toBe('requested');
    });

    it('inviting twice changes nothing', () => {
      spec.given([created(), invitationRequested()]).when(requestInvitation).thenNothing();
    });

    it('a deactivated user cannot be invited', () => {
      spec.given([created(), deactivated]).when(requestInvitation).thenThrows('invalid-state', { message: /activate them first/ });
    });

    it('a reactivated user can be invited', () => {
      spec.given([created(), deactivated, activated]).when(requestInvitation).then([invitationRequested()]);
    });

    it('refuses a user that does not exist', () => {
      spec.given([]).when(requestInvitation).thenThrows('not-found');
    });
  });

  describe('evolve', () => {
    it('folds the full history of every event type into the current state', () => {
      const state = spec
        .given([
          created({ importId: IMPORT }),
          profileUpdated({ title: 'CTO', mobile: null }),
          managerAssigned(ANNA, 'anna@acme.example'),
          invitationRequested(),
          deactivated,
          activated,
          deactivated,
          managerAssigned(null, null),
        ])
        .state();
      expect(state).toEqual({
        kind: 'existing',
        userId: WILL,
        networkId: NETWORK,
        email: 'will@acme.example',
        name: 'Will Smith',
        firstName: 'Will',
        lastName: 'Smith',
        title: 'CTO',
        mobile: null,
        managerId: null,
        managerEmail: null,
        status: 'deactivated',
        invitation: 'requested',
        createdByImportId: IMPORT,
      });
    });

    it.each<UserEvent>([profileUpdated({ title: 'X' }), deactivated, activated, managerAssigned(ANNA, 'a@x.example'), invitationRequested()])(
      'ignores $type for a user that was never created',
      (event) => {
        expect(evolve(initialState(), event)).toEqual({ kind: 'absent' });
      },
    );

    it('has a schema version for every event type', () => {
      expect(Object.keys(USER_EVENT_SCHEMA_VERSIONS).sort()).toEqual(
        ['UserActivated', 'UserCreated', 'UserDeactivated', 'UserInvitationRequested', 'UserManagerAssigned', 'UserProfileUpdated'],
      );
      for (const v of Object.values(USER_EVENT_SCHEMA_VERSIONS)) expect(v).toBeGreaterThanOrEqual(1);
    });
  });

  it('the decider is pure: deciding twice from the same history gives the same events and mutates nothing', () => {
    const history = [created(), managerAssigned(ANNA, 'anna@acme.example')];
    const snapshot = JSON.stringify(history);
    const command = updateUser({ changes: { title: 'CTO' }, manager: null, active: false });
    const first = spec.given(history).when(command).then([profileUpdated({ title: 'CTO' }), managerAssigned(null, null), deactivated]);
    const second = spec.given(history).when(command).then([profileUpdated({ title: 'CTO' }), managerAssigned(null, null), deactivated]);
    expect(second).toEqual(first);
    expect(JSON.stringify(history)).toBe(snapshot);
  });
});
