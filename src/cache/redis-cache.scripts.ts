/**
 * Lua scripts of the Redis cache backend. Every key they touch, declared or built from a prefix
 * argument (tag stamps, whose names are only known from the entry), shares the `{name}` hash tag.
 * Time comes from the Redis server, so that all instances agree on expiry.
 *
 * An entry is a hash: v (value JSON), c (clock of the lease it was filled under), t (tags JSON), x
 * (logical expiry, ms). An entry is valid while the generation and its tags' stamps are ≤ c; key
 * invalidations delete the entry and leave a key stamp that overtakes leases in flight.
 */
const NOW = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

const IS_NEWER = `local function newer(key, clock)
  local stamp = redis.call('GET', key)
  return stamp ~= false and tonumber(stamp) > clock
end`;

/**
 * KEYS: entry, generation, lock, clock. ARGV: tag stamp prefix, lock token, lock ttl (ms).
 * Answers {1, value, tags JSON, ms to expiry} on a hit, {2, stale, clock, now} with the lock taken, {3, stale, clock, now} when
 * another caller holds it; stale is '' or an expired, still valid entry.
 */
export const READ_SCRIPT = `${NOW}
${IS_NEWER}
local entry = redis.call('HMGET', KEYS[1], 'v', 'c', 't', 'x')
local stale = ''
if entry[1] then
  local clock = tonumber(entry[2])
  local valid = not newer(KEYS[2], clock)
  if valid and entry[3] ~= '[]' then
    for _, tag in ipairs(cjson.decode(entry[3])) do
      if newer(ARGV[1] .. tag, clock) then
        valid = false
        break
      end
    end
  end
  if valid then
    if now < tonumber(entry[4]) then return {1, entry[1], entry[3], tonumber(entry[4]) - now} end
    stale = entry[1]
  end
end
local clock = redis.call('GET', KEYS[4]) or '0'
if redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {2, stale, clock, now}
end
return {3, stale, clock, now}`;

/**
 * KEYS: entry, generation, lock, key stamp. ARGV: tag stamp prefix, lease clock, lease issued at,
 * lock token ('' for none), value, tags JSON, ttl ms, store ms, lease max age ms. Answers 1 if stored.
 */
export const FILL_SCRIPT = `${NOW}
${IS_NEWER}
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
local clock = tonumber(ARGV[2])
if now - tonumber(ARGV[3]) > tonumber(ARGV[9]) then return 0 end
if newer(KEYS[4], clock) or newer(KEYS[2], clock) then return 0 end
for _, tag in ipairs(cjson.decode(ARGV[6])) do
  if newer(ARGV[1] .. tag, clock) then return 0 end
end
redis.call('HSET', KEYS[1], 'v', ARGV[5], 'c', ARGV[2], 't', ARGV[6], 'x', now + tonumber(ARGV[7]))
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return 1`;

/** KEYS: lock. ARGV: token. Frees the lock if it is still this token's. */
export const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: entry, clock, key stamp. ARGV: value, tags JSON, ttl ms, store ms, key stamp ttl ms, publish
 * command, channel, message. Stores under a fresh clock that it also stamps on the key, so older
 * leases can no longer fill, and tells the other instances to drop their copies of the key.
 */
export const PUT_SCRIPT = `${NOW}
local clock = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[3], clock, 'PX', ARGV[5])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'c', clock, 't', ARGV[2], 'x', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call(ARGV[6], ARGV[7], ARGV[8])
return clock`;

/**
 * KEYS: clock, generation, then for each invalidated key its entry and its key stamp, then the stamp
 * of each invalidated tag. ARGV: number of keys, key stamp ttl ms, '1' to bump the generation, publish
 * command, channel, message. The message reaches the other instances' L1 copies; it is sent by the
 * script that invalidates, so that no invalidation goes unannounced.
 */
export const INVALIDATE_SCRIPT = `local clock = redis.call('INCR', KEYS[1])
if ARGV[3] == '1' then redis.call('SET', KEYS[2], clock) end
local keys = tonumber(ARGV[1])
for i = 3, 2 + keys * 2, 2 do
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[i + 1], clock, 'PX', ARGV[2])
end
for i = 3 + keys * 2, #KEYS do
  redis.call('SET', KEYS[i], clock)
end
redis.call(ARGV[4], ARGV[5], ARGV[6])
return clock`;
