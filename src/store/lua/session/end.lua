-- Covered papers go to history (dedup key freed, read date kept); followUps stays 'pending' until endFollowedUp.
-- KEYS: 1 live session, 2 session hash, 3 timeline, 4 current paper id, 5 queue, 6 history,
--   7 dedup key → queued id, 8 dedup key → last read at, 9.. each queued paper's hash, in queue order.
-- ARGV: 1 session id, 2 ended at, 3 recording link (''), 4 session.ended event, 5 paper.covered event (''),
--   6 current paper id (''), 7.. the queue as the caller read it.
-- 'stale': the queue or current paper changed since the caller read them.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then
  if redis.call('HGET', KEYS[2], 'followUps') == 'pending' then return cjson.encode({outcome = 'resumed'}) end
  return cjson.encode({outcome = 'not-live'})
end
local current = ARGV[6]
if (redis.call('GET', KEYS[4]) or '') ~= current then return cjson.encode({outcome = 'stale'}) end
local queue = redis.call('LRANGE', KEYS[5], 0, -1)
if #queue ~= #ARGV - 6 then return cjson.encode({outcome = 'stale'}) end
for i, id in ipairs(queue) do
  if id ~= ARGV[6 + i] then return cjson.encode({outcome = 'stale'}) end
end

redis.call('HSET', KEYS[2], 'status', 'ended', 'endedAt', ARGV[2], 'followUps', 'pending')
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'recording', ARGV[3]) end
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('RPUSH', KEYS[3], ARGV[4])
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[5]) end

local toHistory = {}
for i, id in ipairs(queue) do
  local paper = KEYS[8 + i]
  if id == current then redis.call('HSET', paper, 'status', 'covered', 'coveredAt', ARGV[2]) end
  if redis.call('HGET', paper, 'status') == 'covered' then
    local p = redis.call('HMGET', paper, 'coveredAt', 'startedAt', 'dedupKey')
    redis.call('LREM', KEYS[5], 0, id)
    redis.call('ZADD', KEYS[6], p[1], id)
    redis.call('HDEL', KEYS[7], p[3])
    redis.call('HSET', KEYS[8], p[3], p[2] or p[1])
    toHistory[#toHistory + 1] = id
  end
end
return cjson.encode({outcome = 'ended', toHistory = toHistory})
