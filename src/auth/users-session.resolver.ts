import { Injectable, NotFoundException } from '@nestjs/common';
import { SessionUserResolver } from '../session/session-user.resolver';
import { UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';

/** The signed-in user of a session is the `UserDto` of its user id; a deleted user resolves to null. */
@Injectable()
export class UsersSessionResolver extends SessionUserResolver {
  constructor(private readonly users: UsersService) {
    super();
  }

  async resolve(userId: string): Promise<UserDto | null> {
    try {
      return await this.users.findById(userId);
    } catch (error) {
      if (error instanceof NotFoundException) return null;
      throw error;
    }
  }
}
