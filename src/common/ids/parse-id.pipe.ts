import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { canonicalId, isUuidShaped } from './canonical-id';

/**
 * 400 for anything but a UUID (any version, any letter case, with `ParseUUIDPipe`'s message), else
 * the id in its canonical lower case. Synchronous: `ParseUUIDPipe` is async, and every promise of a
 * request costs while request contexts are tracked.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (!isUuidShaped(value)) throw new BadRequestException('Validation failed (uuid is expected)');
    return canonicalId(value);
  }
}
