import { Query } from '@nestjs/cqrs';
import type { UserView } from '../ports/user-read-model.port.js';

export class GetUserQuery extends Query<UserView> {
  constructor(
    readonly networkId: string,
    readonly userId: string,
  ) {
    super();
  }
}
