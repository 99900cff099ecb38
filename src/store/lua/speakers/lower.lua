-- KEYS: 1 live session, 2 hands, 3 hand topics, 4 timeline. ARGV: 1 session id, 2 user id, 3 hand.lowered event.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live'}) end
if redis.call('LREM', KEYS[2], 0, ARGV[2]) == 0 then return cjson.encode({outcome = 'not-raised'}) end
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('RPUSH', KEYS[4], ARGV[3])
return cjson.encode({outcome = 'lowered'})
