import { luaGuards } from './lua.js';

/**
 * Lua for sessions, speakers and questions. KEYS[1] is the guild's current
 * session pointer (it routes the call on a Cluster); ARGV[1] is the guild's
 * key prefix, under the same hash tag. Every script that changes something
 * appends its timeline event in the same step.
 */
const helpers = `
local p = ARGV[1]
${luaGuards}
local currentKey = KEYS[1]
local function sessionKey(id) return p .. 'session:' .. id end
-- The live session's id, or false. Only start and end write the pointer, each in the same step as the session's
-- status, so the pointer names a live session or none: one read, where checking the status too would be two.
local function live() return redis.call('GET', currentKey) end
local function log(id, event) redis.call('RPUSH', sessionKey(id) .. ':timeline', event) end
-- Members on stage: a sorted set, every score 0, so it reads in id order without sorting. A session
-- stored by an earlier version kept a plain set; it is turned into the sorted set on first use.
local function stageKey(id)
  local key = sessionKey(id) .. ':stage'
  if redis.call('TYPE', key).ok == 'set' then
    local members = redis.call('SMEMBERS', key)
    redis.call('DEL', key)
    for _, member in ipairs(members) do redis.call('ZADD', key, 0, member) end
  end
  return key
end
-- 1 when a post must be (re)queued: no job for it is waiting yet. The job clears the mark before it reads;
-- the mark lapses after 10 s, so an enqueue that failed after it delays the post at most that long.
local function markDirty(what) return redis.call('SET', p .. 'dirty:' .. what, '1', 'NX', 'PX', 10000) and 1 or 0 end
`;

export const sessionScripts = {
  // ARGV: prefix → the live session's hash as a flat list, or empty
  current: `${helpers}
local id = live()
if not id then return {} end
return redis.call('HGETALL', sessionKey(id))
`,
  // ARGV: prefix, sessionId → {hands, topics (flat), stage}
  speakers: `${helpers}
local s = sessionKey(ARGV[2])
return {redis.call('LRANGE', s .. ':hands', 0, -1), redis.call('HGETALL', s .. ':hands:topics'), redis.call('ZRANGE', stageKey(ARGV[2]), 0, -1)}
`,
  // ARGV: prefix, questionId → the question hash (flat) with its votes, or empty
  question: `${helpers}
local row = redis.call('HGETALL', p .. 'question:' .. ARGV[2])
if #row == 0 then return row end
local sid = redis.call('HGET', p .. 'question:' .. ARGV[2], 'sessionId')
row[#row + 1] = 'votes'
row[#row + 1] = redis.call('ZSCORE', sessionKey(sid) .. ':votes', ARGV[2]) or '0'
return row
`,
  // ARGV: prefix, sessionId → every question hash (flat) with its votes, oldest first
  questions: `${helpers}
local s = sessionKey(ARGV[2])
local out = {}
for _, qid in ipairs(redis.call('ZRANGE', s .. ':questions', 0, -1)) do
  local row = redis.call('HGETALL', p .. 'question:' .. qid)
  row[#row + 1] = 'votes'
  row[#row + 1] = redis.call('ZSCORE', s .. ':votes', qid) or '0'
  out[#out + 1] = row
end
return out
`,
  // ARGV: prefix, newId, startedAt, by, startedEvent → {'started'|'live', id}
  start: `${helpers}
local existing = live()
if existing then return {'live', existing} end
local id = ARGV[2]
redis.call('HSET', sessionKey(id), 'id', id, 'status', 'live', 'startedAt', ARGV[3], 'startedBy', ARGV[4])
redis.call('SET', currentKey, id)
redis.call('ZADD', p .. 'sessions', ARGV[3], id)
log(id, ARGV[5])
return {'started', id}
`,
  // ARGV: prefix, sessionId, endedAt, recording, endedEvent → 'ended' | 'not-live'
  end: `${helpers}
if live() ~= ARGV[2] then return 'not-live' end
redis.call('HSET', sessionKey(ARGV[2]), 'status', 'ended', 'endedAt', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', sessionKey(ARGV[2]), 'recording', ARGV[4]) end
redis.call('DEL', currentKey)
log(ARGV[2], ARGV[5])
return 'ended'
`,
  // ARGV: prefix, sessionId, event → 'ok' | 'not-live'
  log: `${helpers}
if live() ~= ARGV[2] then return 'not-live' end
log(ARGV[2], ARGV[3])
return 'ok'
`,
  // ARGV: prefix, sessionId, userId, topic, event → {'raised'|'already'|'on-stage'|'not-live', position}
  raise: `${helpers}
local id = ARGV[2]
if live() ~= id then return {'not-live', 0} end
local hands = sessionKey(id) .. ':hands'
local pos = redis.call('LPOS', hands, ARGV[3])
if pos then return {'already', pos + 1} end
if redis.call('ZSCORE', stageKey(id), ARGV[3]) then return {'on-stage', 0} end
local length = redis.call('RPUSH', hands, ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', hands .. ':topics', ARGV[3], ARGV[4]) end
log(id, ARGV[5])
return {'raised', length}
`,
  // ARGV: prefix, sessionId, userId, event → 'lowered' | 'not-raised' | 'not-live'
  lower: `${helpers}
local id = ARGV[2]
if live() ~= id then return 'not-live' end
local hands = sessionKey(id) .. ':hands'
if redis.call('LREM', hands, 0, ARGV[3]) == 0 then return 'not-raised' end
redis.call('HDEL', hands .. ':topics', ARGV[3])
log(id, ARGV[4])
return 'lowered'
`,
  // ARGV: prefix, sessionId, userId, mustBeFirst ('1'|'0'), event → {'called' | 'not-first' | 'not-live', boardDirty}
  // Two hosts calling at once: the first run takes the member off the queue, the second finds them gone.
  call: `${helpers}
local id = ARGV[2]
if live() ~= id then return {'not-live', 0} end
local hands = sessionKey(id) .. ':hands'
if ARGV[4] == '1' and redis.call('LINDEX', hands, 0) ~= ARGV[3] then return {'not-first', 0} end
redis.call('LREM', hands, 0, ARGV[3])
redis.call('HDEL', hands .. ':topics', ARGV[3])
redis.call('ZADD', stageKey(id), 0, ARGV[3])
log(id, ARGV[5])
return {'called', markDirty('board')}
`,
  // ARGV: prefix, manageGuild ('1'|'0'), roleIds (comma-separated), the guild's voice presence key, by, at,
  //   sessionId ('' for whichever is live), window (ms) → {outcome, userId, boardDirty}
  // /speakers next in one step: 'called' (taken off the queue onto the stage), 'absent' (first in line but, as the
  // gateway's voice presence mirror says, not in the stage channel: they keep their place), 'just-called' (another
  // host called the next speaker less than \`window\` ms ago: two hosts pressing at once call one member; userId is
  // the member they called), 'empty', 'no-stage', 'not-live' (none live, or not the session named) or 'not-host'.
  callFirst: `${helpers}
if not isHost(ARGV[2], ARGV[3]) then return {'not-host', '', 0} end
local id = live()
if not id or (ARGV[7] ~= '' and ARGV[7] ~= id) then return {'not-live', '', 0} end
local stage = redis.call('HGET', p .. 'settings', 'stageChannelId')
if not stage then return {'no-stage', '', 0} end
local s = sessionKey(id)
local last = redis.call('HMGET', s, 'nextCalledAt', 'nextCalledBy', 'nextCalled')
local since = last[1] and tonumber(ARGV[6]) - tonumber(last[1])
if since and since >= 0 and since < tonumber(ARGV[8]) and last[2] ~= ARGV[5] then return {'just-called', last[3], 0} end
local hands = s .. ':hands'
local first = redis.call('LINDEX', hands, 0)
if not first then return {'empty', '', 0} end
if redis.call('HGET', ARGV[4], first) ~= stage then return {'absent', first, 0} end
redis.call('HSET', s, 'nextCalledAt', ARGV[6], 'nextCalledBy', ARGV[5], 'nextCalled', first)
redis.call('LPOP', hands)
redis.call('HDEL', hands .. ':topics', first)
redis.call('ZADD', stageKey(id), 0, first)
log(id, cjson.encode({type = 'speaker.called', userId = first, by = ARGV[5], at = tonumber(ARGV[6])}))
return {'called', first, markDirty('board')}
`,
  // ARGV: prefix, sessionId, userId, event → 'done' | 'not-on-stage' | 'not-live'
  done: `${helpers}
local id = ARGV[2]
if live() ~= id then return 'not-live' end
if redis.call('ZREM', stageKey(id), ARGV[3]) == 0 then return 'not-on-stage' end
log(id, ARGV[4])
return 'done'
`,
  // ARGV: prefix, sessionId, at → number cleared
  clear: `${helpers}
local id = ARGV[2]
if live() ~= id then return -1 end
local hands = sessionKey(id) .. ':hands'
local users = redis.call('LRANGE', hands, 0, -1)
for _, user in ipairs(users) do log(id, cjson.encode({type = 'hand.lowered', userId = user, at = tonumber(ARGV[3])})) end
redis.call('DEL', hands, hands .. ':topics')
return #users
`,
  // ARGV: prefix, rate-limit key ('' for none), limit, window (ms), questionId, event (JSON), field/value pairs…
  //   → {'asked', paperId, boardDirty, sessionId, cardsDirty, session thread id or ''}
  //     | {'not-live'} | {'limited', '', 0, sessionId, 0, ms until the window ends}
  // The member's use is counted here, once a session is live: no separate count or session read is needed.
  // The question waits in the session's uncarded set until its card is posted; its votes are counted from
  // its first upvote (readers take a missing score as 0). The question goes to the live session and the paper
  // current at this moment, both read in the same step. Each redis.call costs a few microseconds on the
  // busiest command of a session, so this one makes as few as it can.
  ask: `${helpers}
local id = live()
if not id then return {'not-live'} end
local s = sessionKey(id)
local retryAfter = overLimit(ARGV[2], ARGV[3], ARGV[4])
if retryAfter then return {'limited', '', 0, id, 0, retryAfter} end
local qid = ARGV[5]
local fields = {'sessionId', id}
local askedAt
for i = 7, #ARGV, 2 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  if ARGV[i] == 'askedAt' then askedAt = ARGV[i + 1] end
end
local paper = redis.call('GET', p .. 'papers:current')
local event = ARGV[6]
if paper then
  fields[#fields + 1] = 'paperId'
  fields[#fields + 1] = paper
  -- The event is a JSON object: the paper joins it as its last member.
  event = string.sub(event, 1, -2) .. ',"paperId":' .. cjson.encode(paper) .. '}'
end
redis.call('HSET', p .. 'question:' .. qid, unpack(fields))
redis.call('ZADD', s .. ':questions', askedAt, qid)
redis.call('SADD', s .. ':open', qid)
redis.call('ZADD', s .. ':uncarded', askedAt, qid)
log(id, event)
return {'asked', paper or '', markDirty('board'), id, markDirty('cards'), redis.call('HGET', s, 'threadId') or ''}
`,
  // ARGV: prefix → {} when no session is live, else {session (flat), current paper's id, title, ref and status (flat or empty),
  //   hands up, the first 60 members on stage in id order, questions asked, questions open, talk time (flat),
  //   members on stage} (a status line shows about 45 mentions: a full room's stage is not read whole)
  status: `${helpers}
local id = live()
if not id then return {} end
local s = sessionKey(id)
local stage = stageKey(id)
local paper = redis.call('GET', p .. 'papers:current')
-- Only what the status line shows of the paper (not its abstract and authors).
local shown = {}
if paper then
  local names = {'id', 'title', 'ref', 'metadataStatus'}
  for i, value in ipairs(redis.call('HMGET', p .. 'paper:' .. paper, unpack(names))) do
    if value then
      shown[#shown + 1] = names[i]
      shown[#shown + 1] = value
    end
  end
end
local onStage = redis.call('ZRANGE', stage, 0, 59)
return {
  redis.call('HGETALL', s), shown,
  redis.call('LLEN', s .. ':hands'), onStage,
  redis.call('ZCARD', s .. ':questions'), redis.call('SCARD', s .. ':open'), redis.call('HGETALL', s .. ':talk'),
  -- Counted only when the first 60 are not all of them.
  #onStage < 60 and #onStage or redis.call('ZCARD', stage),
}
`,
  // ARGV: prefix, sessionId → {questions asked, questions open}
  counts: `${helpers}
local s = sessionKey(ARGV[2])
return {redis.call('ZCARD', s .. ':questions'), redis.call('SCARD', s .. ':open')}
`,
  // ARGV: prefix, questionId, userId → {'added'|'removed'|'ended'|'missing', votes, sessionId, cardDirty, boardDirty}
  vote: `${helpers}
local q = p .. 'question:' .. ARGV[2]
local sid = redis.call('HGET', q, 'sessionId')
if not sid then return {'missing', 0, '', 0, 0} end
if live() ~= sid then return {'ended', 0, sid, 0, 0} end
local voters = q .. ':voters'
local votes = sessionKey(sid) .. ':votes'
-- A first press (the usual case) is one SADD; a second press takes the vote back.
local outcome = 'added'
local count
if redis.call('SADD', voters, ARGV[3]) == 1 then
  count = redis.call('ZINCRBY', votes, 1, ARGV[2])
else
  redis.call('SREM', voters, ARGV[3])
  outcome = 'removed'
  count = redis.call('ZINCRBY', votes, -1, ARGV[2])
end
return {outcome, tonumber(count), sid, markDirty('question:' .. ARGV[2]), markDirty('board')}
`,
  // ARGV: prefix, sessionId, claimPrefix, jobId, claimTtlMs, max
  //   → {threadId, {question (flat, with votes), its paper (flat), 1 if this job holds the post's claim}...},
  //     or {'', questions waiting} while the session thread is not up.
  // The first questions without a card, with all their card needs, claimed for this job (the claim postOnce
  // would take for a first post). The cards mark is cleared first, so a question asked after this read queues
  // the next run.
  cards: `${helpers}
redis.call('DEL', p .. 'dirty:cards')
local s = sessionKey(ARGV[2])
local thread = redis.call('HGET', s, 'threadId')
if not thread then return {'', redis.call('ZCARD', s .. ':uncarded')} end
local out = {thread}
for _, qid in ipairs(redis.call('ZRANGE', s .. ':uncarded', 0, tonumber(ARGV[6]) - 1)) do
  local q = p .. 'question:' .. qid
  local row = redis.call('HGETALL', q)
  if #row == 0 or redis.call('HEXISTS', q, 'cardMessageId') == 1 then
    -- Gone, or carded already: nothing to post.
    redis.call('ZREM', s .. ':uncarded', qid)
  else
    row[#row + 1] = 'votes'
    row[#row + 1] = redis.call('ZSCORE', s .. ':votes', qid) or '0'
    local paperId = redis.call('HGET', q, 'paperId')
    local paper = paperId and redis.call('HGETALL', p .. 'paper:' .. paperId) or {}
    local claim = ARGV[3] .. 'question:' .. qid .. ':'
    local held = redis.call('SET', claim, ARGV[4], 'PX', ARGV[5], 'NX') or redis.call('GET', claim) == ARGV[4]
    out[#out + 1] = {row, paper, held and 1 or 0}
  end
end
return out
`,
  // ARGV: prefix, what → clears a dirty mark (a job about to render)
  clean: `${helpers}
redis.call('DEL', p .. 'dirty:' .. ARGV[2])
return 1
`,
  // ARGV: prefix, questionId, status, answer, event → 'ok' | 'answered' | 'dismissed' | 'missing' | 'ended'
  // Answer and dismiss race to the first write; the question ends in one state.
  resolve: `${helpers}
local q = p .. 'question:' .. ARGV[2]
local status = redis.call('HGET', q, 'status')
if not status then return 'missing' end
local sid = redis.call('HGET', q, 'sessionId')
if live() ~= sid then return 'ended' end
if status ~= 'open' then return status end
redis.call('HSET', q, 'status', ARGV[3])
redis.call('SREM', sessionKey(sid) .. ':open', ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', q, 'answer', ARGV[4]) end
log(sid, ARGV[5])
return 'ok'
`,
};
