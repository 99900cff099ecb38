-- KEYS: 1 live session, 2 session hash, 3 current paper id, 4 question hash, 5 questions by asked at, 6 rank:open,
--   7 rank:all, 8 open texts, 9 uncarded, 10 timeline, 11 board dirty mark, 12 cards dirty mark.
-- ARGV: 1 session id, 2 expected current paper id ('', or '*': the question names its own paper), 3 question.asked
--   event, 4 id, 5 asked at, 6 rank member, 7 lower-case text, 8.. field/value pairs.
-- 'paper-changed': nothing written; the caller asks again on that paper.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live'}) end
local paper = redis.call('GET', KEYS[3]) or ''
if ARGV[2] ~= '*' and paper ~= ARGV[2] then return cjson.encode({outcome = 'paper-changed', paperId = paper}) end
-- A question asked before the session joins it once: a rerun of the job that adds it changes nothing.
if ARGV[2] == '*' and redis.call('EXISTS', KEYS[4]) == 1 then return cjson.encode({outcome = 'exists'}) end
redis.call('HSET', KEYS[4], unpack(ARGV, 8))
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[4])
redis.call('ZADD', KEYS[6], 0, ARGV[6])
redis.call('ZADD', KEYS[7], 0, ARGV[6])
redis.call('HSET', KEYS[8], ARGV[6], ARGV[7])
redis.call('ZADD', KEYS[9], ARGV[5], ARGV[4])
redis.call('RPUSH', KEYS[10], ARGV[3])
-- A mark set here means no job was waiting, so the caller queues one; it lapses after 10 s.
return cjson.encode({
  outcome = 'asked',
  boardDirty = redis.call('SET', KEYS[11], '1', 'NX', 'PX', 10000) ~= false,
  cardsDirty = redis.call('SET', KEYS[12], '1', 'NX', 'PX', 10000) ~= false,
  threadId = redis.call('HGET', KEYS[2], 'threadId') or nil,
})
