import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { UserReadModel, type UserPage } from '../ports/user-read-model.port.js';
import { ListUsersQuery } from './list-users.query.js';

@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery, UserPage> {
  constructor(private readonly users: UserReadModel) {}

  execute({ networkId, filter }: ListUsersQuery): Promise<UserPage> {
    return this.users.list(networkId, filter);
  }
}
