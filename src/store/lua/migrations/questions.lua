-- Migration 4: questions get rankings by votes, open search texts and votes in their hash; old open set and votes go.
-- KEYS: 1 questions, 2 old open set, 3 old votes, 4-7 rank:open/answered/dismissed/all, 8 open texts,
--   9.. the question hashes in the order of 1. ARGV: per question, in that order: id, rank member, lower-case text.
-- Reply: {migrated = number of questions}, or {changed = true} when questions were added since they were read.
local n = #KEYS - 8
if redis.call('ZCARD', KEYS[1]) ~= n then return cjson.encode({changed = true}) end
local ranks = {open = KEYS[4], answered = KEYS[5], dismissed = KEYS[6]}
for i = 1, n do
  local q = KEYS[8 + i]
  local id, member, text = ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i]
  local status = redis.call('HGET', q, 'status')
  if status then
    local votes = tonumber(redis.call('ZSCORE', KEYS[3], id) or '0')
    redis.call('HSET', q, 'rank', member)
    if votes ~= 0 then redis.call('HSET', q, 'votes', votes) end
    redis.call('ZADD', KEYS[7], -votes, member)
    if ranks[status] then redis.call('ZADD', ranks[status], -votes, member) end
    if status == 'open' then redis.call('HSET', KEYS[8], member, text) end
  end
end
redis.call('DEL', KEYS[2], KEYS[3])
return cjson.encode({migrated = n})
