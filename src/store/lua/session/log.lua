-- KEYS: 1 live session, 2 timeline. ARGV: 1 session id, 2 event.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live'}) end
redis.call('RPUSH', KEYS[2], ARGV[2])
return cjson.encode({outcome = 'ok'})
