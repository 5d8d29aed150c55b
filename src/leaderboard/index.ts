export { LeaderboardModule } from './leaderboard.module';
export { Leaderboard } from './leaderboard.service';
export type { Ranked } from './leaderboard-backend';
export type { BucketUnit, WindowSpec } from './buckets';
export { LeaderboardKeys } from './leaderboard-keys';
export type {
  LeaderboardModuleAsyncOptions,
  LeaderboardModuleOptions,
} from './leaderboard.options';
