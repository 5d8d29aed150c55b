import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { canonicalId, isUuidShaped } from './canonical-id';

/**
 * Global: lower-cases every UUID-shaped route parameter before any other pipe sees it, so that a
 * route that reads an id with a bare `@Param()` still reaches its service and cache keys in the one
 * spelling (`@IdParam()` does this too, and validates).
 */
@Injectable()
export class CanonicalIdsPipe implements PipeTransform {
  transform(value: unknown, { type }: ArgumentMetadata): unknown {
    if (type !== 'param') return value;
    if (isUuidShaped(value)) return canonicalId(value);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([name, param]) => [
          name,
          isUuidShaped(param) ? canonicalId(param) : param,
        ]),
      );
    }
    return value;
  }
}
