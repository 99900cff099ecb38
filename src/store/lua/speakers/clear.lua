-- Lowers the hands the caller read as up; a hand raised since stays up, one lowered since logs nothing.
-- KEYS: 1 live session, 2 hands, 3 hand topics, 4 timeline. ARGV: 1 session id, then per hand: user id, event.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live'}) end
local cleared = 0
for i = 2, #ARGV, 2 do
  if redis.call('LREM', KEYS[2], 0, ARGV[i]) > 0 then
    redis.call('HDEL', KEYS[3], ARGV[i])
    redis.call('RPUSH', KEYS[4], ARGV[i + 1])
    cleared = cleared + 1
  end
end
return cjson.encode({outcome = 'cleared', cleared = cleared})
