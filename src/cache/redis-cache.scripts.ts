/**
 * Lua scripts of the Redis cache backend. Every key they touch shares the `{name}` hash tag, and so
 * does the channel they publish invalidations on. Time comes from the Redis server, so that all
 * instances agree on expiry.
 *
 * An entry is a hash: v (value JSON), c (clock of the lease it was filled under), t (tags JSON), x
 * (logical expiry, ms). The cache's metadata is one hash, `!meta`: c (the clock), g (the clock of
 * the last whole-cache invalidation) and `t:<tag>` (of the last invalidation of each tag). An entry is
 * valid while g and its tags' stamps are ≤ its c. Key invalidations delete the entry and leave a key
 * stamp that overtakes leases in flight.
 *
 * The cache Redis may evict any key (`allkeys-lru`), so no eviction may bring back an invalidated
 * value. Metadata lives in one key, so it is lost whole or not at all: a missing `!meta` is started
 * again from the server's time in microseconds, past every clock handed out before, with g at that
 * clock, so every older entry is invalid. A lease creates its key's stamp, so a stamp missing when the
 * fill comes was evicted, and the fill is dropped.
 */
const NOW = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/** `clock(meta)`: the cache's clock, starting `!meta` anew if it is missing. */
const CLOCK = `local function clock(meta)
  local current = redis.call('HGET', meta, 'c')
  if current then return tonumber(current) end
  local fresh = tonumber(time[1]) * 1000000 + tonumber(time[2])
  redis.call('HSET', meta, 'c', fresh, 'g', fresh)
  return fresh
end
local function tick(meta)
  if redis.call('EXISTS', meta) == 0 then return clock(meta) end
  return redis.call('HINCRBY', meta, 'c', 1)
end`;

/** `overtaken(meta, tags JSON, c)`: true if the generation is missing or it or a tag is newer than c. */
const OVERTAKEN = `local function overtaken(meta, tags, c)
  local fields = {'g'}
  for _, tag in ipairs(cjson.decode(tags)) do fields[#fields + 1] = 't:' .. tag end
  local stamps = redis.call('HMGET', meta, unpack(fields))
  if not stamps[1] then return true end
  for i = 1, #fields do
    if stamps[i] and tonumber(stamps[i]) > c then return true end
  end
  return false
end`;

/**
 * KEYS: entry, meta, lock, key stamp. ARGV: lock token, lock ttl ms, key stamp ttl ms.
 * Answers {1, value, tags JSON, ms to expiry} on a hit, {2, stale, clock, now} with the lock taken,
 * {3, stale, clock, now} when another caller holds it; stale is '' or an expired, still valid entry.
 */
export const READ_SCRIPT = `${NOW}
${CLOCK}
${OVERTAKEN}
local entry = redis.call('HMGET', KEYS[1], 'v', 'c', 't', 'x')
local stale = ''
if entry[1] and not overtaken(KEYS[2], entry[3], tonumber(entry[2])) then
  local expiry = tonumber(entry[4])
  if now < expiry then return {1, entry[1], entry[3], expiry - now} end
  stale = entry[1]
end
local lease = clock(KEYS[2])
if not redis.call('SET', KEYS[4], lease, 'NX', 'PX', ARGV[3]) then
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
end
if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, stale, lease, now}
end
return {3, stale, lease, now}`;

/**
 * KEYS: entry, meta, lock, key stamp. ARGV: lease clock, lease issued at, lock token ('' for none),
 * value, tags JSON, ttl ms, store ms, lease max age ms. Answers 1 if stored.
 */
export const FILL_SCRIPT = `${NOW}
${OVERTAKEN}
if ARGV[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
local lease = tonumber(ARGV[1])
if now - tonumber(ARGV[2]) > tonumber(ARGV[8]) then return 0 end
local stamp = redis.call('GET', KEYS[4])
if not stamp or tonumber(stamp) > lease then return 0 end
if overtaken(KEYS[2], ARGV[5], lease) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[4], 'c', ARGV[1], 't', ARGV[5], 'x', now + tonumber(ARGV[6]))
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1`;

/** KEYS: lock. ARGV: token. Frees the lock if it is still this token's. */
export const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: entry, meta, key stamp. ARGV: value, tags JSON, ttl ms, store ms, key stamp ttl ms, publish
 * command, channel, message. Stores under a fresh clock that it also stamps on the key, so older
 * leases can no longer fill, and tells the other instances to drop their copies of the key.
 */
export const PUT_SCRIPT = `${NOW}
${CLOCK}
local stamp = tick(KEYS[2])
redis.call('SET', KEYS[3], stamp, 'PX', ARGV[5])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'c', stamp, 't', ARGV[2], 'x', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call(ARGV[6], ARGV[7], ARGV[8])
return stamp`;

/**
 * KEYS: meta, then for each invalidated key its entry and its key stamp. ARGV: number of keys, key
 * stamp ttl ms, '1' to invalidate the whole cache, publish command, channel, message, then the
 * invalidated tags. The message reaches the other instances' L1 copies; it is sent by the script that
 * invalidates, so that no invalidation goes unannounced.
 */
export const INVALIDATE_SCRIPT = `local time = redis.call('TIME')
${CLOCK}
local stamp = tick(KEYS[1])
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'g', stamp) end
for i = 2, 1 + tonumber(ARGV[1]) * 2, 2 do
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[i + 1], stamp, 'PX', ARGV[2])
end
for i = 7, #ARGV do
  redis.call('HSET', KEYS[1], 't:' .. ARGV[i], stamp)
end
redis.call(ARGV[4], ARGV[5], ARGV[6])
return stamp`;
