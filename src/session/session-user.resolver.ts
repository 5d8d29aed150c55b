/**
 * Turns a session's user id into the signed-in user that `@CurrentUser()` answers, or `null` when
 * that user no longer exists (the session is then ended and the request answers 401). The
 * application provides it, so this library knows nothing of how users are stored.
 */
export abstract class SessionUserResolver {
  abstract resolve(userId: string): Promise<object | null>;

  /** The role `@Roles()` checks; by default the resolved user's `role` property. */
  roleOf(user: object): string | undefined {
    const { role } = user as { role?: unknown };
    return typeof role === 'string' ? role : undefined;
  }
}
