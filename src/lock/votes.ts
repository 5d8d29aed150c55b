/** The answers of several masters to one request, so far. */
export interface Votes<T> {
  readonly answers: T[];
  readonly errors: unknown[];
  /** Masters that have not answered yet. */
  readonly pending: number;
}

/**
 * Resolves with the answers and errors gathered so far as soon as `decided` says they settle the
 * outcome, or once every request has settled; later answers are left out. Redlock's own vote
 * counting is private and keeps only whether each master agreed, not what it answered.
 */
export function collectVotes<T>(
  requests: Promise<T>[],
  decided: (votes: Votes<T>) => boolean,
): Promise<Votes<T>> {
  const answers: T[] = [];
  const errors: unknown[] = [];
  let pending = requests.length;
  return new Promise((resolve) => {
    const count = (): void => {
      pending--;
      const votes = { answers: [...answers], errors: [...errors], pending };
      if (decided(votes)) resolve(votes);
    };
    for (const request of requests) {
      request.then(
        (answer) => (answers.push(answer), count()),
        (error: unknown) => (errors.push(error), count()),
      );
    }
  });
}
