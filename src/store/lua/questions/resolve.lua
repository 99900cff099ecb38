-- Answers or dismisses an open question of the live session; answer and dismiss race to the first write.
-- KEYS: 1 the live session, 2 the question's hash, 3 rank:open, 4 the rank of the new status, 5 open texts,
--   6 timeline (all of the session given).
-- ARGV: 1 the question's session id, as the caller believes it, 2 question id, 3 'answered' | 'dismissed',
--   4 answer (''), 5 the event (JSON).
-- Reply: {outcome = 'ok' | 'answered' | 'dismissed' | 'missing' | 'ended'}
--   | {outcome = 'other-session', sessionId} when the question belongs to another session (ask again for that one).
local q = redis.call('HMGET', KEYS[2], 'sessionId', 'status', 'rank')
if not q[1] then return cjson.encode({outcome = 'missing'}) end
if q[1] ~= ARGV[1] then return cjson.encode({outcome = 'other-session', sessionId = q[1]}) end
if redis.call('HGET', KEYS[1], 'id') ~= q[1] then return cjson.encode({outcome = 'ended'}) end
if q[2] ~= 'open' then return cjson.encode({outcome = q[2]}) end
redis.call('HSET', KEYS[2], 'status', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], 'answer', ARGV[4]) end
local score = redis.call('ZSCORE', KEYS[3], q[3]) or 0
redis.call('ZREM', KEYS[3], q[3])
redis.call('ZADD', KEYS[4], score, q[3])
redis.call('HDEL', KEYS[5], q[3])
redis.call('RPUSH', KEYS[6], ARGV[5])
return cjson.encode({outcome = 'ok'})
