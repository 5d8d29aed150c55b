declare module 'fastify' {
  /** What a session holds: the signed-in user's id, never the user's data. */
  interface Session {
    userId?: string;
    /** Set on a request whose session could not be loaded because the store is unreachable. */
    storeUnavailable?: boolean;
  }
}

export const SESSION_COOKIE = 'sid';
