-- Migration 3: the live-session pointer, once the session id, becomes a hash of id, status, startedAt, startedBy.
-- KEYS: 1 the pointer, 2 the session it names. ARGV: 1 that session's id, as read before.
-- Reply: {migrated = true | false}
if redis.call('TYPE', KEYS[1]).ok ~= 'string' or redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return cjson.encode({migrated = false})
end
redis.call('DEL', KEYS[1])
local s = redis.call('HMGET', KEYS[2], 'id', 'status', 'startedAt', 'startedBy')
if s[2] == 'live' then
  redis.call('HSET', KEYS[1], 'id', s[1], 'status', s[2], 'startedAt', s[3], 'startedBy', s[4])
end
return cjson.encode({migrated = true})
