import { BadRequestException } from '@nestjs/common';
import { IsString } from 'class-validator';
import { BoundedValidationPipe, MAX_VALIDATION_MESSAGES } from './bounded-validation.pipe';

class Named {
  @IsString()
  name: string;
}

const pipe = new BoundedValidationPipe({ whitelist: true, forbidNonWhitelisted: true });
const messagesFor = async (value: object): Promise<string[]> => {
  const error = await pipe.transform(value, { type: 'body', metatype: Named }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequestException);
  return ((error as BadRequestException).getResponse() as { message: string[] }).message;
};

describe(BoundedValidationPipe.name, () => {
  it('lists every message up to the limit', async () => {
    const body = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`k${i}`, 1]));
    const message = await messagesFor(body);
    expect(message).toHaveLength(MAX_VALIDATION_MESSAGES);
    expect(message).toContain('name must be a string');
  });

  it('lists the first messages and how many more there were past the limit', async () => {
    const body = Object.fromEntries(Array.from({ length: 9000 }, (_, i) => [`k${i}`, 1]));
    const message = await messagesFor(body);
    expect(message).toHaveLength(MAX_VALIDATION_MESSAGES);
    expect(message[0]).toBe('property k0 should not exist');
    expect(message.at(-1)).toBe('…and 8982 more validation errors');
  });
});
