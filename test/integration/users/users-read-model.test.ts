import { randomUUID } from 'node:crypto';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ActivateUserCommand } from '../../../src/modules/users/application/activate-user/activate-user.command.js';
import { CreateUserCommand } from '../../../src/modules/users/application/create-user/create-user.command.js';
import { DeactivateUserCommand } from '../../../src/modules/users/application/deactivate-user/deactivate-user.command.js';
import { GetUserHistoryQuery } from '../../../src/modules/users/application/get-user-history/get-user-history.query.js';
import { UserProjection, UserReadModel, type UserSnapshot } from '../../../src/modules/users/application/ports/user-read-model.port.js';
import { RequestInvitationCommand } from '../../../src/modules/users/application/request-invitation/request-invitation.command.js';
import { UpdateUserCommand } from '../../../src/modules/users/application/update-user/update-user.command.js';
import { evolve, initialState } from '../../../src/modules/users/domain/user.decider.js';
import type { UserEvent } from '../../../src/modules/users/domain/user.events.js';
import { NotFoundError, PreconditionFailedError, UniqueEmailViolationError } from '../../../src/shared/application/application-errors.js';
import { EventStore } from '../../../src/shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../src/shared/application/ports/unit-of-work.port.js';
import { fold } from '../../../src/shared/domain/event.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { commandContextFor, eventRows } from '../../support/database.js';

describe('users read model and command handlers on PostgreSQL', () => {
  let t: TestApp;
  let commands: CommandBus;
  let queries: QueryBus;
  let users: UserReadModel;
  let events: EventStore;

  beforeAll(async () => {
    t = await startTestApp();
    commands = t.app.get(CommandBus);
    queries = t.app.get(QueryBus);
    users = t.app.get(UserReadModel);
    events = t.app.get(EventStore);
  });
  afterAll(() => t.close());

  const userRowCount = async (network: string) =>
    (await t.runtime.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM users WHERE network_id = $1', [network]))[0].n;

  /** The read model row must be exactly what folding the user's stream gives. */
  async function expectProjectionMatchesStream(network: string, userId: string) {
    const stream = await events.readStream(network, userId);
    const state = fold(evolve, initialState(), stream.map((e) => ({ type: e.type, data: e.data }) as UserEvent));
    const view = await users.get(network, userId);
    expect(state.kind).toBe('existing');
    if (state.kind !== 'existing') return;
    expect(view).toEqual({
      id: userId,
      networkId: network,
      email: state.email,
      name: state.name,
      firstName: state.firstName,
      lastName: state.lastName,
      title: state.title,
      mobile: state.mobile,
      managerId: state.managerId,
      managerEmail: state.managerEmail,
      status: state.status,
      invitation: state.invitation,
      version: stream.length,
      createdAt: stream[0].recordedAt.toISOString(),
      updatedAt: stream[stream.length - 1].recordedAt.toISOString(),
    });
  }

  describe('one user per e-mail per network, case-insensitively', () => {
    it('Will@x.com then will@X.COM in one network: the second is a UniqueEmailViolationError and writes nothing', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network);
      await commands.execute(new CreateUserCommand(ctx, { email: 'Will@x.com', name: 'Will' }));
      await expect(commands.execute(new CreateUserCommand(ctx, { email: 'will@X.COM', name: 'Other Will' }))).rejects.toBeInstanceOf(
        UniqueEmailViolationError,
      );
      expect(await userRowCount(network)).toBe(1);
      const [{ n }] = await t.runtime.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM events WHERE network_id = $1 AND type = 'UserCreated'`,
        [network],
      );
      expect(n).toBe(1);
    });

    it('the same address in two networks is two users', async () => {
      const a = uniqueNetworkId('rm');
      const b = uniqueNetworkId('rm');
      await commands.execute(new CreateUserCommand(commandContextFor(a), { email: 'Will@x.com', name: 'Will A' }));
      await commands.execute(new CreateUserCommand(commandContextFor(b), { email: 'will@X.COM', name: 'Will B' }));
      expect(await userRowCount(a)).toBe(1);
      expect(await userRowCount(b)).toBe(1);
    });

    it('the unique index itself refuses it (projection save bypassing the handler check)', async () => {
      const network = uniqueNetworkId('rm');
      const now = new Date();
      const snapshot = (id: string, email: string): UserSnapshot => ({
        kind: 'existing',
        userId: id,
        networkId: network,
        email,
        name: 'X',
        firstName: null,
        lastName: null,
        title: null,
        mobile: null,
        managerId: null,
        managerEmail: null,
        status: 'active',
        invitation: 'none',
        createdByImportId: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      const projection = t.app.get(UserProjection);
      const uow = t.app.get(UnitOfWork);
      await uow.transaction((tx) => projection.save(tx, [snapshot(randomUUID(), 'Will@x.com')]));
      const error = await uow.transaction((tx) => projection.save(tx, [snapshot(randomUUID(), 'will@X.COM')])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UniqueEmailViolationError);
      expect((error as Error).message).toContain('will@x.com');
      expect(await userRowCount(network)).toBe(1);

      // The bulk insert of an import's new users: the same refusal, naming the address, and none of them written.
      const many = Array.from({ length: 500 }, (_, i) => ({ ...snapshot(randomUUID(), `user${i}@x.com`), title: i % 2 ? 'Tab\there' : null, managerId: i ? null : randomUUID() }));
      const rowsOf = (users: UserSnapshot[]) => {
        const rows = projection.newRows();
        for (const user of users) rows.add(user);
        return rows;
      };
      const clash = await uow.transaction((tx) => projection.insert(tx, rowsOf([...many, snapshot(randomUUID(), 'WILL@x.com')]))).catch((e: unknown) => e);
      expect(clash).toBeInstanceOf(UniqueEmailViolationError);
      expect((clash as Error).message).toContain('will@x.com');
      expect(await userRowCount(network)).toBe(1);
      await uow.transaction((tx) => projection.insert(tx, rowsOf(many)));
      expect(await userRowCount(network)).toBe(501);
      const stored = await users.findByEmailKeys(network, ['user0@x.com', 'user1@x.com']);
      expect(stored.get('user0@x.com')).toMatchObject({ userId: many[0].userId, managerId: many[0].managerId, title: null, version: 1 });
      expect(stored.get('user1@x.com')).toMatchObject({ userId: many[1].userId, managerId: null, title: 'Tab\there' });
      expect(stored.get('user1@x.com')!.createdAt.toISOString()).toBe(now.toISOString());
    });

    it('two creates with the same address at the same time: one user, the loser gets the conflict and its events are rolled back', async () => {
      const network = uniqueNetworkId('rm');
      for (let round = 0; round < 5; round++) {
        const email = `race${round}@x.com`;
        const results = await Promise.allSettled([
          commands.execute(new CreateUserCommand(commandContextFor(network), { email, name: 'First' })),
          commands.execute(new CreateUserCommand(commandContextFor(network), { email: email.toUpperCase(), name: 'Second' })),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(UniqueEmailViolationError);
      }
      expect(await userRowCount(network)).toBe(5);
      const [{ n }] = await t.runtime.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM events WHERE network_id = $1 AND type = 'UserCreated'`,
        [network],
      );
      expect(n).toBe(5);
    });

    it('changing a user to another user\'s address (other case) is refused and writes nothing', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network);
      await commands.execute(new CreateUserCommand(ctx, { email: 'anna@x.com', name: 'Anna' }));
      const bob = await commands.execute(new CreateUserCommand(ctx, { email: 'bob@x.com', name: 'Bob' }));
      await expect(commands.execute(new UpdateUserCommand(ctx, bob.userId, { email: 'ANNA@x.com' }))).rejects.toBeInstanceOf(UniqueEmailViolationError);
      expect(await eventRows(t.runtime, bob.userId)).toHaveLength(1);
      expect((await users.get(network, bob.userId))?.email).toBe('bob@x.com');
      // Changing only the case of one's own address is allowed.
      await commands.execute(new UpdateUserCommand(ctx, bob.userId, { email: 'Bob@X.com' }));
      expect((await users.get(network, bob.userId))?.email).toBe('Bob@X.com');
    });
  });

  describe('the projection is consistent right after each command', () => {
    it('create, update, manager, deactivate, activate, invite: the row equals the folded stream every time', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network);
      const anna = await commands.execute(new CreateUserCommand(ctx, { email: 'anna@x.com', name: 'Anna' }));
      const will = await commands.execute(
        new CreateUserCommand(ctx, { email: 'will@x.com', firstName: 'Will', lastName: 'Smith', title: 'Engineer', mobile: '+441234567890', managerEmail: 'ANNA@x.com' }),
      );
      await expectProjectionMatchesStream(network, will.userId);
      expect(await users.get(network, will.userId)).toMatchObject({ name: 'Will Smith', managerId: anna.userId, managerEmail: 'anna@x.com', version: 1 });

      const steps = [
        new UpdateUserCommand(ctx, will.userId, { title: 'CTO', mobile: null }),
        new UpdateUserCommand(ctx, will.userId, { managerId: null }),
        new DeactivateUserCommand(ctx, will.userId),
        new ActivateUserCommand(ctx, will.userId),
        new RequestInvitationCommand(ctx, will.userId),
        new UpdateUserCommand(ctx, will.userId, { managerId: anna.userId }),
      ];
      for (const step of steps) {
        const outcome = await commands.execute(step);
        expect(outcome.changed).toBe(true);
        await expectProjectionMatchesStream(network, will.userId);
        expect((await users.get(network, will.userId))?.version).toBe(outcome.version);
      }
      expect(await users.get(network, will.userId)).toMatchObject({ title: 'CTO', mobile: null, status: 'active', invitation: 'requested', managerId: anna.userId, version: 7 });
    });

    it('the manager e-mail follows the manager\'s own e-mail change', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network);
      const anna = await commands.execute(new CreateUserCommand(ctx, { email: 'anna@x.com', name: 'Anna' }));
      const will = await commands.execute(new CreateUserCommand(ctx, { email: 'will@x.com', name: 'Will', managerId: anna.userId }));
      await commands.execute(new UpdateUserCommand(ctx, anna.userId, { email: 'anna.k@x.com' }));
      expect((await users.get(network, will.userId))?.managerEmail).toBe('anna.k@x.com');
    });

    it('a command that changes nothing appends nothing and leaves the row as it was', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network);
      const will = await commands.execute(new CreateUserCommand(ctx, { email: 'will@x.com', name: 'Will' }));
      const before = await users.get(network, will.userId);
      const outcome = await commands.execute(new ActivateUserCommand(ctx, will.userId));
      expect(outcome).toMatchObject({ changed: false, version: 1, events: [] });
      const same = await commands.execute(new UpdateUserCommand(ctx, will.userId, { name: 'Will', title: null }));
      expect(same.changed).toBe(false);
      expect(await eventRows(t.runtime, will.userId)).toHaveLength(1);
      expect(await users.get(network, will.userId)).toEqual(before);
    });

    it('stores the command context in every event: actor, correlation, causation', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network, { actor: { id: 'admin-7', email: 'seven@x.com' }, correlationId: 'req-123', causationId: 'cause-9' });
      const will = await commands.execute(new CreateUserCommand(ctx, { email: 'will@x.com', name: 'Will' }));
      const history = await queries.execute(new GetUserHistoryQuery(network, will.userId));
      expect(history).toEqual([
        expect.objectContaining({
          version: 1,
          type: 'UserCreated',
          actor: { id: 'admin-7', email: 'seven@x.com' },
          correlationId: 'req-123',
          causationId: 'cause-9',
          importId: null,
        }),
      ]);
    });

    it('If-Match (expected version) that is stale is a PreconditionFailedError and writes nothing', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network);
      const will = await commands.execute(new CreateUserCommand(ctx, { email: 'will@x.com', name: 'Will' }));
      await expect(commands.execute(new UpdateUserCommand(ctx, will.userId, { title: 'X' }, 2))).rejects.toBeInstanceOf(PreconditionFailedError);
      await commands.execute(new UpdateUserCommand(ctx, will.userId, { title: 'X' }, 1));
      expect(await eventRows(t.runtime, will.userId)).toHaveLength(2);
    });
  });

  describe('network scoping', () => {
    it('no read reaches another network\'s users, and no command can change them', async () => {
      const a = uniqueNetworkId('rm');
      const b = uniqueNetworkId('rm');
      const will = await commands.execute(new CreateUserCommand(commandContextFor(a), { email: 'will@x.com', name: 'Will' }));
      expect(await users.get(b, will.userId)).toBeNull();
      expect(await users.findById(b, will.userId)).toBeNull();
      expect((await users.findByEmailKeys(b, ['will@x.com'])).size).toBe(0);
      expect((await users.list(b, { limit: 50 })).items).toEqual([]);
      expect(await events.readStream(b, will.userId)).toEqual([]);
      await expect(commands.execute(new DeactivateUserCommand(commandContextFor(b), will.userId))).rejects.toBeInstanceOf(NotFoundError);
      await expect(queries.execute(new GetUserHistoryQuery(b, will.userId))).rejects.toBeInstanceOf(NotFoundError);
      // A manager must be in the same network.
      await expect(
        commands.execute(new CreateUserCommand(commandContextFor(b), { email: 'bob@x.com', name: 'Bob', managerId: will.userId })),
      ).rejects.toMatchObject({ field: 'managerId' });
      expect(await users.get(a, will.userId)).toMatchObject({ status: 'active', version: 1 });
    });
  });

  describe('list', () => {
    it('filters by status, searches name and e-mail, and pages with a cursor without gaps or repeats', async () => {
      const network = uniqueNetworkId('rm');
      const ctx = commandContextFor(network);
      const created = [];
      for (let i = 0; i < 7; i++) {
        created.push(await commands.execute(new CreateUserCommand(ctx, { email: `user${i}@x.com`, name: i % 2 ? `Odd Person ${i}` : `Even Person ${i}` })));
      }
      await commands.execute(new DeactivateUserCommand(ctx, created[0].userId));
      await commands.execute(new DeactivateUserCommand(ctx, created[3].userId));

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await users.list(network, { limit: 3, after: cursor });
        seen.push(...page.items.map((u) => u.email));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `user${i}@x.com`));

      expect((await users.list(network, { limit: 50, status: 'deactivated' })).items.map((u) => u.email)).toEqual(['user0@x.com', 'user3@x.com']);
      expect((await users.list(network, { limit: 50, status: 'active', search: 'odd' })).items.map((u) => u.email)).toEqual([
        'user1@x.com',
        'user5@x.com',
      ]);
      expect((await users.list(network, { limit: 50, search: 'USER6@' })).items.map((u) => u.email)).toEqual(['user6@x.com']);
      // LIKE wildcards in the search are taken literally.
      expect((await users.list(network, { limit: 50, search: '%' })).items).toEqual([]);
      expect((await users.list(network, { limit: 50, search: '_' })).items).toEqual([]);
    });
  });
});
