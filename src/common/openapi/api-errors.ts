import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

/** Nest's error shape, as every 4xx and 5xx is answered. */
export class ErrorResponse {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'Not Found',
    description: 'One message, or one per invalid field (at most 20)',
  })
  message: string | string[];

  @ApiProperty({ example: 'Not Found' })
  error: string;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 409;

/**
 * Documents a route's error answers with their schema, one description per status:
 * `@ApiErrors({ 400: 'Invalid body', 404: 'No such order' })`.
 */
export const ApiErrors = (descriptions: Partial<Record<ErrorStatus, string>>): MethodDecorator =>
  applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: ErrorResponse }),
    ),
  );
