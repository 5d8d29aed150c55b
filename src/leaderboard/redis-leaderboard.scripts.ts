/**
 * Lua scripts of the Redis leaderboard. Every key they touch is declared and shares the board's
 * `{lb:<board>}` hash tag, so they run on a Redis Cluster.
 */

/**
 * KEYS: writer, bucket 1 … n. ARGV: batch seq, writer ttl (s), then per bucket: expire at (epoch s),
 * member count m, and m pairs of (increment, member).
 * Applies the whole batch unless the writer's last applied seq is at or above this one (a resend
 * after a lost answer); answers 1 when applied, 0 when it was a duplicate.
 */
export const APPLY_SCRIPT = `local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local a = 3
for k = 2, #KEYS do
  local expireAt = ARGV[a]
  local n = tonumber(ARGV[a + 1])
  a = a + 2
  for _ = 1, n do
    redis.call('ZINCRBY', KEYS[k], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('EXPIREAT', KEYS[k], expireAt)
end
return 1`;

/**
 * KEYS: bucket 1 … n, scratch union key. ARGV: limit.
 * Answers the top `limit` of the union as member, score, … : every member scoring above the last
 * place's score, then the members tied at that score in ascending member order. (A reversed range
 * orders ties by member descending, so the ties at the cut are fetched by score range instead.)
 */
export const TOP_SCRIPT = `local union = KEYS[#KEYS]
local sources = {}
for i = 1, #KEYS - 1 do sources[i] = KEYS[i] end
if redis.call('ZUNIONSTORE', union, #sources, unpack(sources)) == 0 then return {} end
local limit = tonumber(ARGV[1])
local top = redis.call('ZRANGE', union, 0, limit - 1, 'REV', 'WITHSCORES')
local cut = top[#top]
local result = {}
for i = 1, #top, 2 do
  if tonumber(top[i + 1]) > tonumber(cut) then
    result[#result + 1] = top[i]
    result[#result + 1] = top[i + 1]
  end
end
local ties = redis.call('ZRANGE', union, cut, cut, 'BYSCORE', 'LIMIT', 0, limit - #result / 2, 'WITHSCORES')
for i = 1, #ties do result[#result + 1] = ties[i] end
redis.call('DEL', union)
return result`;

/** KEYS: bucket 1 … n. ARGV: member. Removes the member from every bucket. */
export const REMOVE_SCRIPT = `for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1`;
