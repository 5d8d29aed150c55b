import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * The first argon2id configuration of OWASP's Password Storage Cheat Sheet: 19 MiB of memory, two
 * passes, one lane. node-argon2's defaults (64 MiB, three passes, four lanes) took about 560 ms of CPU
 * per hash on a 2-core machine, so that a few sign-ins a second could keep the service busy; these
 * take about 70 ms.
 */
const PARAMETERS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** argon2id in PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), parameters included. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, PARAMETERS);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** True for a hash made with other parameters than {@link PARAMETERS}: re-hash it at sign-in. */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, PARAMETERS);
  }
}
