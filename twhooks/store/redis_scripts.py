"""The Redis store's Lua scripts: every write of :class:`~twhooks.store.redis.RedisStore`
that reads before it writes is one of these, which Redis runs atomically.

:class:`Scripts` registers them with a client; the store runs them on its held connections
(:mod:`twhooks.store.redis_held`) or through the app's client.
"""

from __future__ import annotations

import redis
from redis.commands.core import Script

__all__ = ["Scripts"]

# KEYS: the claim, the reply, the block list's version stamp; ARGV: the owner, the lease in
# ms. {the stored reply, else 1 if claimed, else 0; the stamp, '' if none}: the stamp tells the
# block check that follows whether its copy of the list is current (twhooks/store/redis_blocks.py).
CLAIM = """
local version = redis.call('GET', KEYS[3]) or ''
local reply = redis.call('GET', KEYS[2])
if reply then return {reply, version} end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, version} end
return {0, version}
"""

# KEYS: the block list (hash), its version stamp; ARGV: the number, its value ("<at>|<expires
# ms or empty>"), the new stamp, now in ms. Blocks that have ended are dropped on the way.
BLOCK = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local expires = string.match(entries[i + 1], '|(%d+)$')
  if expires and tonumber(expires) <= tonumber(ARGV[4]) then
    redis.call('HDEL', KEYS[1], entries[i])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return 0
"""

FINISH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
  redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: the claim; ARGV: the owner, the lease in ms. 1 if the owner's claim was extended.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

PEEK = """
local reply = redis.call('GET', KEYS[2])
if reply then return reply end
return redis.call('EXISTS', KEYS[1])
"""

SAVE_CONVERSATION = """
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'data', ARGV[3], 'version', version + 1,
           'updated_at', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
-- The index of recent_conversations: by time saved, those older than the TTL pruned.
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (tonumber(ARGV[4]) - ARGV[5] / 1000))
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return version + 1
"""

# KEYS: the message's hash, the index; ARGV: sid, status, order, error code, to, from, at,
# ttl ms, and "1" to prune the index of messages past their TTL. Every status's order is 0 or
# more, so the first callback of a message always moves it forward. The message's history is
# in its own hash, one field "h:<status>" each (one key per message: creating a second one
# cost Redis more than the rest of the script).
RECORD_STATUS = """
local current = redis.call('HMGET', KEYS[1], 'status', 'order')
local advanced = 0
if tonumber(ARGV[3]) > (tonumber(current[2]) or -1) then
  redis.call('HSET', KEYS[1], 'status', ARGV[2], 'order', ARGV[3], 'error_code', ARGV[4],
             'updated_at', ARGV[7])
  advanced = 1
end
if ARGV[5] ~= '' then redis.call('HSETNX', KEYS[1], 'to', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSETNX', KEYS[1], 'from', ARGV[6]) end
redis.call('HSETNX', KEYS[1], 'h:' .. ARGV[2], ARGV[7] .. '|' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[8])
if ARGV[9] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (tonumber(ARGV[7]) - ARGV[8] / 1000))
end
return {current[1] or '', advanced}
"""

# KEYS: the counter; ARGV: the amount, the window in milliseconds. Returns the count and the
# milliseconds left (0 and 0 for no counter).
ADD_TO_COUNTER = """
if tonumber(ARGV[1]) == 0 then
  local count = redis.call('GET', KEYS[1])
  if not count then return {0, 0} end
  return {tonumber(count), redis.call('PTTL', KEYS[1])}
end
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  left = tonumber(ARGV[2])
end
return {count, left}
"""

# KEYS: the id counter, the history, then the ids of each record's kind (a sorted set per
# kind); ARGV: the size of each kind, the size of the whole history, then one record after
# another (oldest first). Each kind keeps its newest records (a flood of status callbacks
# never pushes the messages out). Returns the last id.
ADD_HISTORY = """
local count = #ARGV - 2
local size = tonumber(ARGV[1])
local first = redis.call('INCRBY', KEYS[1], count) - count + 1
local kinds = {}
for i = 1, count do
  local id = first + i - 1
  redis.call('ZADD', KEYS[2], id, id .. ':' .. ARGV[i + 2])
  redis.call('ZADD', KEYS[i + 2], id, id)
  kinds[KEYS[i + 2]] = true
end
for kind in pairs(kinds) do
  local over = redis.call('ZCARD', kind) - size
  if over > 0 then
    for _, id in ipairs(redis.call('ZRANGE', kind, 0, over - 1)) do
      redis.call('ZREMRANGEBYSCORE', KEYS[2], id, id)
    end
    redis.call('ZREMRANGEBYRANK', kind, 0, over - 1)
  end
end
-- Records of no kind index (written before there was one) go past the whole history's size.
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[2]) + 1))
return first + count - 1
"""

# KEYS: the records, the attempts, the first failures (three hashes by key), the index (a
# sorted set by expiry); ARGV: key, record, last failure, size, now, TTL in ms, expiry.
ADD_FAILED = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[1])
local gone = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[5])
for _, key in ipairs(redis.call('ZRANGE', KEYS[4], 0, -(tonumber(ARGV[4]) + 1))) do
  table.insert(gone, key)
end
for _, key in ipairs(gone) do
  redis.call('ZREM', KEYS[4], key)
  redis.call('HDEL', KEYS[1], key)
  redis.call('HDEL', KEYS[2], key)
  redis.call('HDEL', KEYS[3], key)
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[6]) end
return 0
"""

# KEYS: as ADD_FAILED; ARGV: key, time, key, time … (requests that succeeded): each key taken
# off the list unless it failed again after that time. Returns how many were.
SETTLE_FAILED = """
local settled = 0
for i = 1, #ARGV, 2 do
  local data = redis.call('HGET', KEYS[1], ARGV[i])
  if data and tonumber(cjson.decode(data)['last_at']) <= tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[4], ARGV[i])
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    settled = settled + 1
  end
end
return settled
"""


class Scripts:
    """The scripts, registered with *client* (each is loaded into Redis on first use)."""

    __slots__ = (
        "add_failed",
        "add_history",
        "add_to_counter",
        "block",
        "claim",
        "finish",
        "peek",
        "record_status",
        "renew",
        "save_conversation",
        "settle_failed",
    )

    def __init__(self, client: redis.Redis) -> None:
        self.claim: Script = client.register_script(CLAIM)
        self.block: Script = client.register_script(BLOCK)
        self.finish: Script = client.register_script(FINISH)
        self.renew: Script = client.register_script(RENEW)
        self.peek: Script = client.register_script(PEEK)
        self.save_conversation: Script = client.register_script(SAVE_CONVERSATION)
        self.record_status: Script = client.register_script(RECORD_STATUS)
        self.add_history: Script = client.register_script(ADD_HISTORY)
        self.add_to_counter: Script = client.register_script(ADD_TO_COUNTER)
        self.add_failed: Script = client.register_script(ADD_FAILED)
        self.settle_failed: Script = client.register_script(SETTLE_FAILED)
