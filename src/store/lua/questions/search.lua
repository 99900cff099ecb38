-- Open questions whose text contains what was typed, among a fixed number of the most voted ones: the
-- cost does not grow with the session.
-- KEYS: 1 rank:open, 2 open texts (rank member → text in lower case).
-- ARGV: 1 typed text in lower case, 2 how many candidates to look at, 3 how many matches to return.
-- Reply: {members = [rank members of the matches, most votes first]}
local candidates = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local limit = tonumber(ARGV[3])
local members = {}
if #candidates == 0 then return cjson.encode({members = members}) end
local texts = redis.call('HMGET', KEYS[2], unpack(candidates))
for i, member in ipairs(candidates) do
  if #members >= limit then break end
  if texts[i] and string.find(texts[i], ARGV[1], 1, true) then members[#members + 1] = member end
end
return cjson.encode({members = members})
