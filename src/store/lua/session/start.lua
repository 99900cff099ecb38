-- KEYS: 1 live session, 2 new session hash, 3 sessions by start, 4 timeline.
-- ARGV: 1 new id, 2 started at, 3 by, 4 session.started event.
local live = redis.call('HGET', KEYS[1], 'id')
if live then return cjson.encode({outcome = 'live', sessionId = live}) end
local fields = {'id', ARGV[1], 'status', 'live', 'startedAt', ARGV[2], 'startedBy', ARGV[3]}
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('RPUSH', KEYS[4], ARGV[4])
return cjson.encode({outcome = 'started', sessionId = ARGV[1]})
