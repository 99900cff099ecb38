-- KEYS: 1 hands, 2 hand topics, 3 stage (id order). ARGV: 1 how many of each to read.
local limit = tonumber(ARGV[1])
local hands = redis.call('LRANGE', KEYS[1], 0, limit - 1)
local queue = {}
if #hands > 0 then
  local topics = redis.call('HMGET', KEYS[2], unpack(hands))
  for i, userId in ipairs(hands) do queue[i] = {userId = userId, topic = topics[i] or nil} end
end
local onStage = redis.call('ZRANGE', KEYS[3], 0, limit - 1)
return cjson.encode({
  queue = queue,
  handsUp = #hands < limit and #hands or redis.call('LLEN', KEYS[1]),
  onStage = onStage,
  speaking = #onStage < limit and #onStage or redis.call('ZCARD', KEYS[3]),
})
