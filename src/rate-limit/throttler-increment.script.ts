/**
 * Counts hits of one or more clients, in order, each with the semantics of @nestjs/throttler's Redis
 * storages (the @nest-lab script): INCR the client's hits, start the window on the first; past the
 * limit the client is blocked for `blockDuration`; a hit after its block has ended starts a new
 * window. KEYS: hits and block key of each hit; ARGV: ttl, limit and block duration (ms) of each.
 * Answers four numbers per hit: hits in the window, ms left in it, 1 when blocked, ms left of the
 * block.
 */
export const THROTTLER_INCREMENT_LUA = `
local out = {}
for i = 1, #KEYS / 2 do
  local hitKey, blockKey = KEYS[2 * i - 1], KEYS[2 * i]
  local ttl = tonumber(ARGV[3 * i - 2])
  local limit = tonumber(ARGV[3 * i - 1])
  local blockDuration = tonumber(ARGV[3 * i])
  local totalHits = redis.call('INCR', hitKey)
  local timeToExpire = redis.call('PTTL', hitKey)
  if timeToExpire <= 0 then
    redis.call('PEXPIRE', hitKey, ttl)
    timeToExpire = ttl
  end
  local blocked = redis.call('GET', blockKey)
  local timeToBlockExpire = 0
  if blocked then
    timeToBlockExpire = redis.call('PTTL', blockKey)
  elseif totalHits > limit then
    redis.call('SET', blockKey, 1, 'PX', blockDuration)
    blocked = '1'
    timeToBlockExpire = blockDuration
  end
  if blocked and timeToBlockExpire <= 0 then
    redis.call('DEL', blockKey)
    redis.call('SET', hitKey, 1, 'PX', ttl)
    totalHits = 1
    timeToExpire = ttl
    blocked = false
  end
  local n = #out
  out[n + 1] = totalHits
  out[n + 2] = timeToExpire
  out[n + 3] = blocked and 1 or 0
  out[n + 4] = timeToBlockExpire
end
return out
`;
