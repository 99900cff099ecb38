-- An utterance's text (or gap) is back. KEYS: 1 members who opted in, 2 transcript, 3 pending (utterance id → JSON).
-- ARGV: 1 member id, 2 utterance id, 3 when the utterance began (ms), 4 the entry (JSON, stored as given).
-- Kept only while the member is still opted in since before they spoke (consentCovers in
-- src/domain/transcript/transcript.ts, checked here again because only here is it atomic with the write):
-- /transcript leave removes their lines, and a line whose job was running meanwhile must not come back.
local joined = redis.call('HGET', KEYS[1], ARGV[1])
local outcome
if not joined or tonumber(joined) > tonumber(ARGV[3]) then
  outcome = 'dropped'
elseif redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[4]) == 0 then
  outcome = 'exists'
else
  outcome = 'stored'
end
redis.call('HDEL', KEYS[3], ARGV[2])
return cjson.encode({outcome = outcome})
