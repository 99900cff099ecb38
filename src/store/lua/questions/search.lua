-- Looks only at the ARGV[2] most voted open questions, so the cost does not grow with the session; reading texts
-- a batch at a time lets a common word stop early.
-- KEYS: 1 rank:open, 2 open texts (rank member → lower-case text). ARGV: 1 lower-case typed text, 2 candidates,
--   3 matches wanted.
local last = tonumber(ARGV[2]) - 1
local limit = tonumber(ARGV[3])
local members = {}
for from = 0, last, 25 do
  local batch = redis.call('ZRANGE', KEYS[1], from, math.min(from + 24, last))
  if #batch == 0 then break end
  local texts = redis.call('HMGET', KEYS[2], unpack(batch))
  for i, member in ipairs(batch) do
    if texts[i] and string.find(texts[i], ARGV[1], 1, true) then members[#members + 1] = member end
    if #members >= limit then return cjson.encode({members = members}) end
  end
end
return cjson.encode({members = members})
