-- Stores a question in the live session, on the paper current at this moment, and queues its card.
-- KEYS: 1 the live session, 2 the session's hash, 3 the current paper's id, 4 the question's hash, 5 questions
--   by asked at, 6 rank:open, 7 rank:all, 8 open texts, 9 uncarded, 10 timeline, 11 the board's dirty mark,
--   12 the cards' dirty mark.
-- ARGV: 1 session id, 2 the current paper's id as the caller expects it (''), 3 the question.asked event (JSON),
--   4 question id, 5 asked at, 6 rank member, 7 text in lower case, 8.. the question's field/value pairs.
-- Reply: {outcome = 'asked', boardDirty, cardsDirty, threadId} | {outcome = 'not-live'}
--   | {outcome = 'paper-changed', paperId} when the current paper is not the one expected (nothing written:
--   the caller builds the question for that paper and asks again).
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({outcome = 'not-live'}) end
local paper = redis.call('GET', KEYS[3]) or ''
if paper ~= ARGV[2] then return cjson.encode({outcome = 'paper-changed', paperId = paper}) end
local id = ARGV[4]
redis.call('HSET', KEYS[4], unpack(ARGV, 8))
redis.call('ZADD', KEYS[5], ARGV[5], id)
redis.call('ZADD', KEYS[6], 0, ARGV[6])
redis.call('ZADD', KEYS[7], 0, ARGV[6])
redis.call('HSET', KEYS[8], ARGV[6], ARGV[7])
-- It waits in the uncarded set until its card is posted.
redis.call('ZADD', KEYS[9], ARGV[5], id)
redis.call('RPUSH', KEYS[10], ARGV[3])
-- A mark is set when no job for that post is waiting yet (the caller then queues one); it lapses after 10 s.
return cjson.encode({
  outcome = 'asked',
  boardDirty = redis.call('SET', KEYS[11], '1', 'NX', 'PX', 10000) ~= false,
  cardsDirty = redis.call('SET', KEYS[12], '1', 'NX', 'PX', 10000) ~= false,
  threadId = redis.call('HGET', KEYS[2], 'threadId') or nil,
})
