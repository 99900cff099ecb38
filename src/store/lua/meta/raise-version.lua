-- Never lowers the version: a slow migrator finishing late cannot undo a newer one's work.
-- KEYS: 1 the version. ARGV: 1 the version reached. Reply: {version = the version stored now}
local stored = tonumber(redis.call('GET', KEYS[1]) or '0')
local reached = tonumber(ARGV[1])
if reached > stored then redis.call('SET', KEYS[1], reached) end
return cjson.encode({version = math.max(stored, reached)})
