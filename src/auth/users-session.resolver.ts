import { Injectable, NotFoundException } from '@nestjs/common';
import { CacheService } from '../cache';
import { SessionUserResolver } from '../session/session-user.resolver';
import { UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';

/** The signed-in user of a session is the `UserDto` of its user id; a deleted user resolves to null. */
@Injectable()
export class UsersSessionResolver extends SessionUserResolver {
  constructor(
    private readonly users: UsersService,
    private readonly cache: CacheService,
  ) {
    super();
  }

  async resolve(userId: string): Promise<UserDto | null> {
    try {
      // The guard's lookup is not the answer: it leaves the answer's X-Cache to the route's own reads.
      return await this.cache.untracked(() => this.users.findById(userId));
    } catch (error) {
      if (error instanceof NotFoundException) return null;
      throw error;
    }
  }
}
