-- KEYS: 1 live session, 2 stage, 3 timeline. ARGV: 1 session id, 2 user id, 3 speaker.done event.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live'}) end
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return cjson.encode({outcome = 'not-on-stage'}) end
redis.call('RPUSH', KEYS[3], ARGV[3])
return cjson.encode({outcome = 'done'})
