import { Param } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ParseIdPipe } from './parse-id.pipe';

/**
 * A UUID route parameter, validated (400 otherwise) and lower-cased, so that every spelling of an id
 * reaches the service, and its cache keys, as one. Use it for every id in a route:
 * `findOne(@IdParam() id: string)`, or `@IdParam('productId')`.
 */
export const IdParam =
  (name = 'id'): ParameterDecorator =>
  (target, key, index) => {
    Param(name, ParseIdPipe)(target, key, index);
    if (key !== undefined) {
      const method = Object.getOwnPropertyDescriptor(target, key)!;
      ApiParam({ name, format: 'uuid', description: 'Any letter case' })(target, key, method);
    }
  };
