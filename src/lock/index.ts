export { LockModule } from './lock.module';
export { LockService } from './lock.service';
export type { HeldLock, LockedWork } from './lock.service';
export { WithLock } from './with-lock.decorator';
export type { WithLockOptions } from './with-lock.decorator';
export {
  LockBusyError,
  LockLostError,
  LockShutdownError,
  LockUnavailableError,
} from './lock.errors';
export { LOCK_BACKEND } from './lock-backend';
export type { Lease, LockBackend } from './lock-backend';
