import type { Logger } from '@nestjs/common';
import { ThrottledWarning } from './throttled-warning';

describe(ThrottledWarning.name, () => {
  let warn: jest.Mock;
  let sut: ThrottledWarning;

  beforeEach(() => {
    jest.useFakeTimers();
    warn = jest.fn();
    sut = new ThrottledWarning({ warn } as unknown as Logger, 1_000, (n) => `${n} more`);
  });

  afterEach(() => jest.useRealTimers());

  it('logs the first event at once and the rest as one line per interval while they last', () => {
    for (let i = 0; i < 5; i++) sut.record(() => `event ${i}`);
    expect(warn.mock.calls).toEqual([['event 0']]);
    jest.advanceTimersByTime(1_000);
    expect(warn.mock.calls).toEqual([['event 0'], ['4 more']]);
    sut.record(() => 'late');
    jest.advanceTimersByTime(1_000);
    expect(warn.mock.calls).toEqual([['event 0'], ['4 more'], ['1 more']]);
  });

  it('logs the next event at once after a quiet interval', () => {
    sut.record(() => 'first');
    jest.advanceTimersByTime(1_000);
    sut.record(() => 'second');
    expect(warn.mock.calls).toEqual([['first'], ['second']]);
  });
});
