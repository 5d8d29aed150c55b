import { randomBytes } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { UserDto } from '../users/dto/user.dto';
import { PasswordHasher } from '../users/password-hasher';
import { UsersService } from '../users/users.service';

const INVALID_CREDENTIALS = 'Invalid email or password';

@Injectable()
export class AuthService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * The user with these credentials, or 401. An unknown email is checked against a dummy hash made
   * with the same parameters, so that it takes as long as a wrong password and reveals nothing. A
   * hash made with other parameters than the current ones is replaced by one made with them, now
   * that the password is at hand.
   */
  async verify(email: string, password: string): Promise<UserDto> {
    const user = await this.users.findCredentials(email);
    const valid = await this.hasher.verify(user?.passwordHash ?? (await this.dummy()), password);
    if (!user || !valid) throw new UnauthorizedException(INVALID_CREDENTIALS);
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.replacePasswordHash(user.id, await this.hasher.hash(password));
    }
    return UserDto.from(user);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomBytes(32).toString('hex'));
    return this.dummyHash;
  }
}
