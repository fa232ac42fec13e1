import { All, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Req, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ValidationError } from '../../../../shared/application/application-errors.js';
import { APP_CONFIG, type AppConfig } from '../../../../shared/infrastructure/config/app-config.js';
import { AdminAuthGuard, type AuthenticatedRequest } from '../../../../shared/infrastructure/auth/admin-auth.guard.js';
import { commandContext } from '../../../../shared/infrastructure/http/command-context.js';
import { jsonBody } from '../../../../shared/infrastructure/http/json-body.js';
import { JsonBodyInterceptor } from '../../../../shared/infrastructure/http/json-body.interceptor.js';
import { answerOtherMethod } from '../../../../shared/infrastructure/http/other-methods.js';
import { pageLimit, parseInput, refuseQuery } from '../../../../shared/infrastructure/http/zod-input.js';
import { parseEmail } from '../../domain/email-address.js';
import { parseMobile } from '../../domain/phone-number.js';
import { ActivateUserCommand } from '../../application/activate-user/activate-user.command.js';
import { CreateUserCommand } from '../../application/create-user/create-user.command.js';
import { DeactivateUserCommand } from '../../application/deactivate-user/deactivate-user.command.js';
import { GetUserHistoryQuery } from '../../application/get-user-history/get-user-history.query.js';
import { GetUserQuery } from '../../application/get-user/get-user.query.js';
import { ListUsersQuery } from '../../application/list-users/list-users.query.js';
import { RequestInvitationCommand } from '../../application/request-invitation/request-invitation.command.js';
import { UpdateUserCommand } from '../../application/update-user/update-user.command.js';
import type { UserCommandOutcome } from '../../application/user-command-runner.js';
import type { UserView } from '../../application/ports/user-read-model.port.js';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import { directionControlProblem, firstDirectionControl } from '../../../../shared/domain/invisible-characters.js';

// Worded by zod-input's error map: "must not be empty", "must be at most 200 characters".
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((v, ctx) => {
      const control = firstDirectionControl(v);
      if (control !== undefined) ctx.addIssue({ code: 'custom', message: directionControlProblem(control) });
    });
const email = z.string().transform((v, ctx) => {
  try {
    return parseEmail(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as DomainError).message });
    return z.NEVER;
  }
});
const uuid = z.uuid('must be a user id (uuid)');

/** The bodies' schemas; a mobile without a country code is read in the deployment's region, as in a CSV. */
function userBodies(defaultPhoneRegion: string | undefined) {
  const mobile = z.string().transform((v, ctx) => {
    try {
      return parseMobile(v, defaultPhoneRegion);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as DomainError).message });
      return z.NEVER;
    }
  });
  return {
    create: z.strictObject({
      email,
      name: text(200).optional(),
      firstName: text(200).nullish(),
      lastName: text(200).nullish(),
      title: text(200).nullish(),
      mobile: mobile.nullish(),
      managerId: uuid.nullish(),
      managerEmail: email.nullish(),
    }),
    update: z.strictObject({
      email: email.optional(),
      name: text(200).optional(),
      firstName: text(200).nullable().optional(),
      lastName: text(200).nullable().optional(),
      title: text(200).nullable().optional(),
      mobile: mobile.nullable().optional(),
      managerId: uuid.nullable().optional(),
      managerEmail: email.nullable().optional(),
    }),
  };
}

const listQuery = z.strictObject({
  status: z.enum(['active', 'deactivated'], { error: 'must be "active" or "deactivated"' }).optional(),
  search: z.string().trim().max(200).optional(),
  cursor: z.string().max(1000).optional(),
  limit: pageLimit(200, 50),
});

const userIdParam = z.object({ userId: uuid });

function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  // Past 2^53 a version reads as another number (1e+23): no user has one, so it is malformed, not stale.
  if (!match || !Number.isSafeInteger(Number(match[1]))) throw new ValidationError('If-Match must be the user\'s version, as given in its ETag (for example "3").', 'If-Match');
  return Number(match[1]);
}

@Controller('api/v1/networks/:networkId/users')
@UseGuards(AdminAuthGuard)
// After the guard: the body is read only for a caller who may use the route.
@UseInterceptors(JsonBodyInterceptor)
export class UsersHttpController {
  private readonly bodies: ReturnType<typeof userBodies>;

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.bodies = userBodies(config.imports.defaultPhoneRegion);
  }

  @Post()
  async create(@Req() req: AuthenticatedRequest, @Param('networkId') networkId: string, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    refuseQuery(query);
    const input = parseInput(this.bodies.create, jsonBody(req, 'the new user'));
    const outcome = await this.commands.execute(new CreateUserCommand(commandContext(req, networkId), input));
    const user = await this.respondWithUser(networkId, outcome, res);
    res.status(201).location(`/api/v1/networks/${encodeURIComponent(networkId)}/users/${user.id}`);
    return user;
  }

  @Get()
  list(@Param('networkId') networkId: string, @Query() query: unknown) {
    const q = parseInput(listQuery, query, 'query');
    return this.queries.execute(new ListUsersQuery(networkId, { status: q.status, search: q.search || undefined, after: q.cursor, limit: q.limit }));
  }

  @Get(':userId')
  async get(@Param('networkId') networkId: string, @Param() params: unknown, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { userId } = parseInput(userIdParam, params, 'path');
    refuseQuery(query);
    const user = await this.queries.execute(new GetUserQuery(networkId, userId));
    res.setHeader('ETag', `"${user.version}"`);
    return user;
  }

  @Patch(':userId')
  async update(
    @Req() req: AuthenticatedRequest,
    @Param('networkId') networkId: string,
    @Param() params: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { userId } = parseInput(userIdParam, params, 'path');
    refuseQuery(query);
    const changes = parseInput(this.bodies.update, jsonBody(req, 'the fields to change'));
    const outcome = await this.commands.execute(new UpdateUserCommand(commandContext(req, networkId), userId, changes, ifMatchVersion(ifMatch)));
    return this.respondWithUser(networkId, outcome, res);
  }

  @Post(':userId/deactivate')
  @HttpCode(200)
  async deactivate(
    @Req() req: AuthenticatedRequest,
    @Param('networkId') networkId: string,
    @Param() params: unknown,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { userId } = parseInput(userIdParam, params, 'path');
    refuseQuery(query);
    return this.respondWithUser(networkId, await this.commands.execute(new DeactivateUserCommand(commandContext(req, networkId), userId)), res);
  }

  @Post(':userId/activate')
  @HttpCode(200)
  async activate(
    @Req() req: AuthenticatedRequest,
    @Param('networkId') networkId: string,
    @Param() params: unknown,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { userId } = parseInput(userIdParam, params, 'path');
    refuseQuery(query);
    return this.respondWithUser(networkId, await this.commands.execute(new ActivateUserCommand(commandContext(req, networkId), userId)), res);
  }

  @Post(':userId/invitation')
  @HttpCode(200)
  async invite(
    @Req() req: AuthenticatedRequest,
    @Param('networkId') networkId: string,
    @Param() params: unknown,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { userId } = parseInput(userIdParam, params, 'path');
    refuseQuery(query);
    return this.respondWithUser(networkId, await this.commands.execute(new RequestInvitationCommand(commandContext(req, networkId), userId)), res);
  }

  @Get(':userId/events')
  async history(@Param('networkId') networkId: string, @Param() params: unknown, @Query() query: unknown) {
    const { userId } = parseInput(userIdParam, params, 'path');
    refuseQuery(query);
    return { items: await this.queries.execute(new GetUserHistoryQuery(networkId, userId)) };
  }

  // The other methods of each path: 405 (OPTIONS 204) with Allow. Express tries routes in the order they are
  // declared, so these stay after the routes they complete.
  @All()
  otherMethodsOfUsers(@Req() req: Request, @Res() res: Response) {
    answerOtherMethod(req, res, 'GET, HEAD, POST');
  }

  @All(':userId')
  otherMethodsOfUser(@Req() req: Request, @Res() res: Response) {
    answerOtherMethod(req, res, 'GET, HEAD, PATCH');
  }

  @All([':userId/deactivate', ':userId/activate', ':userId/invitation'])
  otherMethodsOfCommands(@Req() req: Request, @Res() res: Response) {
    answerOtherMethod(req, res, 'POST');
  }

  @All(':userId/events')
  otherMethodsOfHistory(@Req() req: Request, @Res() res: Response) {
    answerOtherMethod(req, res, 'GET, HEAD');
  }

  /** Answers with the user as it now reads, and says when the command changed nothing. */
  private async respondWithUser(networkId: string, outcome: UserCommandOutcome, res: Response): Promise<UserView> {
    const user = await this.queries.execute(new GetUserQuery(networkId, outcome.userId));
    res.setHeader('ETag', `"${user.version}"`);
    res.setHeader('X-Changed', String(outcome.changed));
    if (!outcome.changed) res.setHeader('X-Unchanged-Reason', 'The user was already in that state; nothing was recorded.');
    return user;
  }
}
