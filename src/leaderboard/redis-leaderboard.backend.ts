import type { Cluster, Redis } from 'ioredis';
import type { Batch } from './batch';
import type { BucketRef } from './buckets';
import { LeaderboardBackend, Ranked, byRank } from './leaderboard-backend';
import { LeaderboardKeys } from './leaderboard-keys';
import { APPLY_SCRIPT, REMOVE_SCRIPT, TOP_SCRIPT } from './redis-leaderboard.scripts';

type Args = (string | number)[];

interface LeaderboardCommands {
  leaderboardApply(numberOfKeys: number, ...args: Args): Promise<number>;
  leaderboardTop(numberOfKeys: number, ...args: Args): Promise<string[]>;
  leaderboardRemove(numberOfKeys: number, ...args: Args): Promise<number>;
}

const SCRIPTS: Record<keyof LeaderboardCommands, string> = {
  leaderboardApply: APPLY_SCRIPT,
  leaderboardTop: TOP_SCRIPT,
  leaderboardRemove: REMOVE_SCRIPT,
};

/** How long a writer's last applied seq is kept: longer than any bucket lives. */
const WRITER_TTL_S = 8 * 24 * 3600;

/** Buckets as sorted sets, each operation one Lua script (EVALSHA) on the given ioredis client. */
export class RedisLeaderboardBackend implements LeaderboardBackend {
  private readonly commands: LeaderboardCommands;
  private readonly keys = new Map<string, LeaderboardKeys>();

  constructor(
    client: Redis | Cluster,
    private readonly prefix: string,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in client)) client.defineCommand(name, { lua });
    }
    this.commands = client as unknown as LeaderboardCommands;
  }

  async apply(board: string, writer: string, batch: Batch): Promise<void> {
    if (batch.buckets.length === 0) return;
    const keys = this.keysOf(board);
    const args: Args = [batch.seq, WRITER_TTL_S];
    for (const { expiresAtMs, counts } of batch.buckets) {
      args.push(Math.ceil(expiresAtMs / 1000), counts.size);
      for (const [member, count] of counts) args.push(count, member);
    }
    const declared = [keys.writer(writer), ...batch.buckets.map((b) => keys.bucket(b.bucket))];
    await this.commands.leaderboardApply(declared.length, ...declared, ...args);
  }

  async top(board: string, buckets: BucketRef[], limit: number): Promise<Ranked[]> {
    const keys = this.keysOf(board);
    const declared = [...buckets.map((b) => keys.bucket(b)), keys.union];
    const reply = await this.commands.leaderboardTop(declared.length, ...declared, limit);
    const ranked: Ranked[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      ranked.push({ member: reply[i], score: Number(reply[i + 1]) });
    }
    return ranked.sort(byRank);
  }

  async remove(board: string, buckets: BucketRef[], member: string): Promise<void> {
    const keys = this.keysOf(board);
    const declared = buckets.map((b) => keys.bucket(b));
    await this.commands.leaderboardRemove(declared.length, ...declared, member);
  }

  private keysOf(board: string): LeaderboardKeys {
    let keys = this.keys.get(board);
    if (!keys) {
      keys = new LeaderboardKeys(this.prefix, board);
      this.keys.set(board, keys);
    }
    return keys;
  }
}
