-- Opens a poll unless one is open: a server has one at a time. The same poll again (a job's rerun) is no change.
-- KEYS: 1 open poll (hash: id, record, messageId). ARGV: 1 poll id, 2 its record (JSON, stored as given).
local open = redis.call('HGET', KEYS[1], 'id')
if open then return cjson.encode({opened = open == ARGV[1], id = open}) end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'record', ARGV[2])
return cjson.encode({opened = true, id = ARGV[1]})
