-- KEYS: the claims. ARGV: 1 job id, 2 claim lifetime (ms). Reply: {held = [true | false, ...]} in KEYS order.
local held = {}
for i, key in ipairs(KEYS) do
  held[i] = redis.call('SET', key, ARGV[1], 'PX', ARGV[2], 'NX') ~= false or redis.call('GET', key) == ARGV[1]
end
return cjson.encode({held = held})
