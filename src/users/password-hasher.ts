import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id in PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), parameters included. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash);
  }
}
