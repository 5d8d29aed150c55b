import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** The most messages a validation 400 lists: a body with thousands of bad keys answers a small 400. */
export const MAX_VALIDATION_MESSAGES = 20;

/**
 * Nest's `ValidationPipe` whose 400 lists at most {@link MAX_VALIDATION_MESSAGES} messages, the last
 * saying how many more there were. Nest's own limit counts characters, not messages.
 */
export class BoundedValidationPipe extends ValidationPipe {
  override createExceptionFactory(): (errors?: ValidationError[]) => unknown {
    return (errors: ValidationError[] = []) => {
      const messages = this.flattenValidationErrors(errors);
      if (messages.length <= MAX_VALIDATION_MESSAGES) return new BadRequestException(messages);
      const shown = messages.slice(0, MAX_VALIDATION_MESSAGES - 1);
      return new BadRequestException([
        ...shown,
        `…and ${messages.length - shown.length} more validation errors`,
      ]);
    };
  }
}
