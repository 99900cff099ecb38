-- One vote per member on a question of the live session: a second press takes it back.
-- KEYS: 1 the live session, 2 the question's hash, 3 its voters, 4-7 rank:open, rank:answered, rank:dismissed,
--   rank:all of the session given, 8 the question card's dirty mark, 9 the board's dirty mark.
-- ARGV: 1 the question's session id, as the caller believes it, 2 user id.
-- Reply: {outcome = 'added' | 'removed', votes, sessionId, cardDirty, boardDirty}
--   | {outcome = 'missing'} | {outcome = 'ended', sessionId}
--   | {outcome = 'other-session', sessionId} when the question belongs to another session (ask again for that one).
local q = redis.call('HMGET', KEYS[2], 'sessionId', 'status', 'rank')
if not q[1] then return cjson.encode({outcome = 'missing'}) end
if q[1] ~= ARGV[1] then return cjson.encode({outcome = 'other-session', sessionId = q[1]}) end
if redis.call('HGET', KEYS[1], 'id') ~= q[1] then return cjson.encode({outcome = 'ended', sessionId = q[1]}) end
local outcome, delta = 'added', 1
-- A first press (the usual case) is one SADD.
if redis.call('SADD', KEYS[3], ARGV[2]) == 0 then
  redis.call('SREM', KEYS[3], ARGV[2])
  outcome, delta = 'removed', -1
end
local votes = redis.call('HINCRBY', KEYS[2], 'votes', delta)
local rank = ({open = KEYS[4], answered = KEYS[5], dismissed = KEYS[6]})[q[2]]
if rank then redis.call('ZINCRBY', rank, -delta, q[3]) end
redis.call('ZINCRBY', KEYS[7], -delta, q[3])
return cjson.encode({
  outcome = outcome,
  votes = votes,
  sessionId = q[1],
  cardDirty = redis.call('SET', KEYS[8], '1', 'NX', 'PX', 10000) ~= false,
  boardDirty = redis.call('SET', KEYS[9], '1', 'NX', 'PX', 10000) ~= false,
})
