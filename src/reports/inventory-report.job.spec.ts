import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { LockBusyError, LockModule } from '../lock';
import { RedisClientFactory } from '../redis/redis-client.factory';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { InventoryReportJob } from './inventory-report.job';
import { InventoryReportStore } from './inventory-report.store';
import { ReportRunEntity } from './report-run.entity';

function storeDouble() {
  return {
    start: jest.fn((fencingToken: number, startedAt: Date) =>
      Promise.resolve({ runId: `run-${fencingToken}`, fencingToken, startedAt } as ReportRunEntity),
    ),
    finish: jest.fn(() => Promise.resolve('completed' as const)),
    fail: jest.fn(() => Promise.resolve()),
  };
}

async function compile(delayMs: number, store: ReturnType<typeof storeDouble>) {
  const config = {
    lock: { ttlMs: 30000 },
    reports: { delayMs },
    redis: { keyPrefix: 'test' },
    tracing: { enabled: false },
  } as AppConfig;
  @Global()
  @Module({
    providers: [
      { provide: REDIS_CLIENT, useValue: null },
      { provide: RedisClientFactory, useValue: new RedisClientFactory({ tls: false }) },
      { provide: AppConfig, useValue: config },
      { provide: Registry, useValue: new Registry() },
    ],
    exports: [REDIS_CLIENT, RedisClientFactory, AppConfig, Registry],
  })
  class Surroundings {}
  const moduleRef = await Test.createTestingModule({
    imports: [Surroundings, LockModule],
    providers: [InventoryReportJob, { provide: InventoryReportStore, useValue: store }],
  }).compile();
  return moduleRef.init();
}

describe(InventoryReportJob.name, () => {
  let moduleRef: TestingModule;
  let store: ReturnType<typeof storeDouble>;

  afterEach(() => moduleRef.close());

  it('records the run under its fencing token, announces it, and writes the result with that token', async () => {
    store = storeDouble();
    moduleRef = await compile(0, store);
    const sut = moduleRef.get(InventoryReportJob);
    const onStarted = jest.fn();
    const run = await sut.run(onStarted);
    expect(store.start).toHaveBeenCalledWith(run.fencingToken, expect.any(Date));
    expect(onStarted).toHaveBeenCalledWith(run);
    expect(store.finish).toHaveBeenCalledWith(run, expect.any(Date));
    expect(run.status).toBe('completed');
    expect((await sut.run()).fencingToken).toBeGreaterThan(run.fencingToken);
  });

  it('answers a fenced run as fenced', async () => {
    store = storeDouble();
    store.finish.mockResolvedValueOnce('fenced' as never);
    moduleRef = await compile(0, store);
    expect((await moduleRef.get(InventoryReportJob).run()).status).toBe('fenced');
  });

  it('refuses a second run while one is in progress, before recording anything', async () => {
    store = storeDouble();
    moduleRef = await compile(60_000, store);
    const sut = moduleRef.get(InventoryReportJob);
    const started = new Promise((resolve) => void sut.run(resolve));
    await started;
    await expect(sut.run()).rejects.toBeInstanceOf(LockBusyError);
    expect(store.start).toHaveBeenCalledTimes(1);
  });

  it('stops its work on shutdown and closes the run as failed without writing a result', async () => {
    store = storeDouble();
    moduleRef = await compile(60_000, store);
    const sut = moduleRef.get(InventoryReportJob);
    let ended!: Promise<ReportRunEntity>;
    await new Promise((resolve) => {
      ended = sut.run(resolve);
    });
    await moduleRef.close();
    expect((await ended).status).toBe('failed');
    expect(store.fail).toHaveBeenCalledTimes(1);
    expect(store.finish).not.toHaveBeenCalled();
  });
});
