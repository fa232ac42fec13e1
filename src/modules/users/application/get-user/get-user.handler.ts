import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../../../shared/application/application-errors.js';
import { UserReadModel, type UserView } from '../ports/user-read-model.port.js';
import { GetUserQuery } from './get-user.query.js';

@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery, UserView> {
  constructor(private readonly users: UserReadModel) {}

  async execute({ networkId, userId }: GetUserQuery): Promise<UserView> {
    const user = await this.users.get(networkId, userId);
    if (!user) throw new NotFoundError(`There is no user ${userId} in network ${networkId}.`);
    return user;
  }
}
