-- A question asked in a queued paper's thread before its session, kept with the paper until it is presented.
-- KEYS: 1 paper hash, 2 its early questions (list). ARGV: 1 the question (JSON, stored as given), 2 the most kept.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return cjson.encode({outcome = 'missing'}) end
if status ~= 'queued' then return cjson.encode({outcome = status}) end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[2]) then return cjson.encode({outcome = 'full'}) end
return cjson.encode({outcome = 'asked', count = redis.call('RPUSH', KEYS[2], ARGV[1])})
