import { Query } from '@nestjs/cqrs';
import type { UserListFilter, UserPage } from '../ports/user-read-model.port.js';

export class ListUsersQuery extends Query<UserPage> {
  constructor(
    readonly networkId: string,
    readonly filter: UserListFilter,
  ) {
    super();
  }
}
