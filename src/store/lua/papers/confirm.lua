-- A presenter answers "Still presenting?": `yes` marks the paper confirmed for the session, `no` frees it.
-- KEYS: 1 paper hash. ARGV: 1 member id, 2 'yes' or 'no', 3 the session's start (ms).
local paper = redis.call('HMGET', KEYS[1], 'status', 'presenterId')
if not paper[1] then return cjson.encode({outcome = 'missing'}) end
if paper[1] ~= 'queued' then return cjson.encode({outcome = paper[1]}) end
if paper[2] ~= ARGV[1] then return cjson.encode({outcome = 'not-presenter'}) end
if ARGV[2] == 'yes' then
  redis.call('HSET', KEYS[1], 'confirmedFor', ARGV[3])
  return cjson.encode({outcome = 'confirmed'})
end
redis.call('HDEL', KEYS[1], 'presenterId', 'presenterName', 'confirmedFor')
return cjson.encode({outcome = 'freed'})
