import { CacheTimeoutError, Deadlines } from './deadlines';

describe(Deadlines.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('settles as the operation does when it ends in time', async () => {
    const sut = new Deadlines(200);
    await expect(sut.limit(Promise.resolve('value'))).resolves.toBe('value');
    await expect(sut.limit(Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });

  it('rejects an operation still open after its time, within a quarter of it, and ignores its late outcome', async () => {
    const sut = new Deadlines(200);
    let finish!: (value: string) => void;
    const limited = sut.limit(new Promise<string>((resolve) => (finish = resolve)));
    const outcome = limited.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    jest.advanceTimersByTime(199);
    await Promise.resolve();
    jest.advanceTimersByTime(51);
    expect(await outcome).toBeInstanceOf(CacheTimeoutError);
    finish('late');
    await expect(limited).rejects.toBeInstanceOf(CacheTimeoutError);
  });

  it('stops its timer once no operation is open', async () => {
    const sut = new Deadlines(200);
    await sut.limit(Promise.resolve(1));
    jest.advanceTimersByTime(50);
    expect(jest.getTimerCount()).toBe(0);
  });
});
