-- Answer and dismiss race: the first write wins.
-- KEYS: 1 live session, 2 question hash, 3 rank:open, 4 rank of the new status, 5 open texts, 6 timeline.
-- ARGV: 1 the session id the caller believes, 2 question id, 3 'answered' | 'dismissed', 4 answer (''), 5 event.
-- 'other-session': the caller asks again with that session.
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
