import type { CookieSerializeOptions } from '@fastify/cookie';

/**
 * The attributes of the `sid` cookie: HttpOnly, SameSite=Lax, Path=/, and Secure in production, as
 * @fastify/session sets it and as signing out clears it (a browser keeps a Secure cookie that a
 * clearing header without `Secure` names).
 */
export class SessionCookie {
  readonly options: CookieSerializeOptions;

  constructor(secure: boolean) {
    this.options = { httpOnly: true, sameSite: 'lax', path: '/', secure };
  }
}
