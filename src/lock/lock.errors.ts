/** Another holder has the lock right now. */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError';

  constructor(
    readonly resource: string,
    /** When the current holder acquired the lock, when the store knows it. */
    readonly heldSince?: Date,
  ) {
    super(`Lock "${resource}" is held by another holder`);
  }
}

/** The lock store cannot be reached, or the service is shutting down: nothing was acquired. */
export class LockUnavailableError extends Error {
  override readonly name = 'LockUnavailableError';

  constructor(
    readonly resource: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Lock "${resource}" cannot be acquired: ${reason}`, options);
  }
}

/** The reason of a holder's abort signal: its lock expired or could not be extended. */
export class LockLostError extends Error {
  override readonly name = 'LockLostError';

  constructor(
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(`Lock "${resource}" was lost before the work finished`, options);
  }
}

/** The reason of a holder's abort signal when the application shuts down. */
export class LockShutdownError extends Error {
  override readonly name = 'LockShutdownError';

  constructor(readonly resource: string) {
    super(`Lock "${resource}" is being released because the application is shutting down`);
  }
}
