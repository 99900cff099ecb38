-- Ends the server's open poll, if it is still `ARGV[1]` (a later poll is left alone).
-- KEYS: 1 open poll. ARGV: 1 poll id.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({cleared = false}) end
redis.call('DEL', KEYS[1])
return cjson.encode({cleared = true})
