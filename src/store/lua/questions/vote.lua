-- KEYS: 1 live session, 2 question hash, 3 its voters, 4-7 rank:open/answered/dismissed/all, 8 card dirty mark,
--   9 board dirty mark. ARGV: 1 the session id the caller believes, 2 user id, 3 'press' (a member's press) or
--   'forget' (/privacy delete takes their vote back, the session live or not; 'not-voted' when there was none).
-- 'other-session': the caller asks again with that session.
local q = redis.call('HMGET', KEYS[2], 'sessionId', 'status', 'rank', 'cardMessageId')
if not q[1] then return cjson.encode({outcome = 'missing'}) end
if q[1] ~= ARGV[1] then return cjson.encode({outcome = 'other-session', sessionId = q[1]}) end
local forget = ARGV[3] == 'forget'
local live = redis.call('HGET', KEYS[1], 'id') == q[1]
if not forget and not live then return cjson.encode({outcome = 'ended', sessionId = q[1]}) end
local outcome, delta = 'added', 1
if forget then
  if redis.call('SREM', KEYS[3], ARGV[2]) == 0 then return cjson.encode({outcome = 'not-voted', sessionId = q[1]}) end
  outcome, delta = 'removed', -1
elseif redis.call('SADD', KEYS[3], ARGV[2]) == 0 then
  redis.call('SREM', KEYS[3], ARGV[2])
  outcome, delta = 'removed', -1
end
local votes = redis.call('HINCRBY', KEYS[2], 'votes', delta)
local rank = ({open = KEYS[4], answered = KEYS[5], dismissed = KEYS[6]})[q[2]]
if rank then redis.call('ZINCRBY', rank, -delta, q[3]) end
redis.call('ZINCRBY', KEYS[7], -delta, q[3])
-- A mark set here means no edit was waiting, so the caller queues one; an ended session has no board to edit.
local cardDirty, boardDirty = false, false
if live then
  cardDirty = redis.call('SET', KEYS[8], '1', 'NX', 'PX', 10000) ~= false
  boardDirty = redis.call('SET', KEYS[9], '1', 'NX', 'PX', 10000) ~= false
end
return cjson.encode({
  outcome = outcome,
  votes = votes,
  sessionId = q[1],
  cardDirty = cardDirty,
  boardDirty = boardDirty,
  cardMessageId = q[4] or nil,
})
