-- KEYS: 1 live session, 2 hands, 3 hand topics, 4 stage, 5 timeline.
-- ARGV: 1 session id, 2 user id, 3 topic (''), 4 hand.raised event.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live', position = 0}) end
local pos = redis.call('LPOS', KEYS[2], ARGV[2])
if pos then return cjson.encode({outcome = 'already', position = pos + 1}) end
if redis.call('ZSCORE', KEYS[4], ARGV[2]) then return cjson.encode({outcome = 'on-stage', position = 0}) end
local length = redis.call('RPUSH', KEYS[2], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], ARGV[2], ARGV[3]) end
redis.call('RPUSH', KEYS[5], ARGV[4])
return cjson.encode({outcome = 'raised', position = length})
