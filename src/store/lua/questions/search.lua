-- Open questions whose text contains what was typed, among a fixed number of the most voted ones: the
-- cost does not grow with the session. Texts are read a batch at a time, so a common word stops early.
-- KEYS: 1 rank:open, 2 open texts (rank member → text in lower case).
-- ARGV: 1 typed text in lower case, 2 how many candidates to look at, 3 how many matches to return.
-- Reply: {members = [rank members of the matches, most votes first]}
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
