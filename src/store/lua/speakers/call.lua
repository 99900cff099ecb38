-- KEYS: 1 live session, 2 hands, 3 hand topics, 4 stage, 5 timeline, 6 board dirty mark.
-- ARGV: 1 session id, 2 user id, 3 mustBeFirst ('1' | '0'), 4 speaker.called event.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then
  return cjson.encode({outcome = 'not-live', boardDirty = false})
end
if ARGV[3] == '1' and redis.call('LINDEX', KEYS[2], 0) ~= ARGV[2] then
  return cjson.encode({outcome = 'not-first', boardDirty = false})
end
redis.call('LREM', KEYS[2], 0, ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[4], 0, ARGV[2])
redis.call('RPUSH', KEYS[5], ARGV[4])
return cjson.encode({outcome = 'called', boardDirty = redis.call('SET', KEYS[6], '1', 'NX', 'PX', 10000) ~= false})
