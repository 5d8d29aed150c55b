declare module 'fastify' {
  /** What a session holds: the signed-in user's id, never the user's data. */
  interface Session {
    userId?: string;
    /** When the session ends however active it is (epoch ms): its sign-in plus the maximum age. */
    endsAt?: number;
    /** Set on a request whose session could not be loaded because the store is unreachable. */
    storeUnavailable?: boolean;
  }
}

export const SESSION_COOKIE = 'sid';

/** Metadata key of the roles `@Roles()` requires. */
export const ROLES_KEY = 'session:roles';
