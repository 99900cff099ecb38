-- Appends an event to a session's timeline while it is live.
-- KEYS: 1 the live session, 2 the session's timeline. ARGV: 1 session id, 2 the event (JSON).
-- Reply: {outcome = 'ok' | 'not-live'}
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live'}) end
redis.call('RPUSH', KEYS[2], ARGV[2])
return cjson.encode({outcome = 'ok'})
