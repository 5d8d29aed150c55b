import { BlockedClients } from './blocked-clients';

describe(BlockedClients.name, () => {
  let clock: number;
  let sut: BlockedClients;

  beforeEach(() => {
    clock = 1_000;
    sut = new BlockedClients(2, () => clock);
  });

  it('answers how long a block has left, counted from when the store was asked', () => {
    const askedAt = sut.time();
    clock += 40;
    sut.block('client', askedAt, 1_000);
    expect(sut.remainingMs('client')).toBe(960);
    expect(sut.remainingMs('other')).toBe(0);
  });

  it('forgets a block once it ends', () => {
    sut.block('client', sut.time(), 500);
    clock += 499;
    expect(sut.remainingMs('client')).toBe(1);
    clock += 1;
    expect(sut.remainingMs('client')).toBe(0);
    clock -= 1;
    expect(sut.remainingMs('client')).toBe(0);
  });

  it('ignores a block with no time left', () => {
    sut.block('client', sut.time(), 0);
    expect(sut.remainingMs('client')).toBe(0);
  });

  it('holds at most its bound, forgetting the least recently used block', () => {
    sut.block('a', sut.time(), 1_000);
    sut.block('b', sut.time(), 1_000);
    sut.remainingMs('a');
    sut.block('c', sut.time(), 1_000);
    expect(sut.remainingMs('b')).toBe(0);
    expect(sut.remainingMs('a')).toBe(1_000);
    expect(sut.remainingMs('c')).toBe(1_000);
  });
});
