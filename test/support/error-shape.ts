import { Response } from 'supertest';

/** Nest's error shape: `{statusCode, message: string | string[], error}`, never a stack trace. */
export function expectErrorShape(res: Response, status: number): void {
  expect({ status: res.status, body: res.body as unknown }).toEqual({
    status,
    body: expect.objectContaining({ statusCode: status, error: expect.any(String) }),
  });
  const message: unknown = res.body.message;
  expect(typeof message === 'string' || Array.isArray(message)).toBe(true);
  expect(JSON.stringify(res.body)).not.toMatch(/stack|\n\s+at /);
}
