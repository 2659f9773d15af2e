namespace TicketMaster.BookingApi.Reservations;

// Lua runs atomically in Redis: all seats are held or none, and no other command interleaves.
public static class HoldScripts
{
    // KEYS[1..n] hold keys, KEYS[n+1] sold set, KEYS[n+2] reservation, KEYS[n+3] reservation record, KEYS[n+4] user holds
    // ARGV: reservation id, ttl ms, per-user limit, tickets already booked by the user, user id, seat ids csv, n
    // → {'OK', expires_at_ms} | {'EXISTS', expires_at_ms} | {'CONFLICT', seat...} | {'LIMIT', already}
    public const string Reserve = """
        local n = tonumber(ARGV[7])
        local reservation = ARGV[1]
        local existing = redis.call('HGET', KEYS[n + 2], 'expires_at')
        if existing then
          return {'EXISTS', existing}
        end
        local conflicts = {}
        for i = 1, n do
          local seat = string.match(KEYS[i], ':hold:(%d+)$')
          local holder = redis.call('GET', KEYS[i])
          if (holder and holder ~= reservation) or redis.call('SISMEMBER', KEYS[n + 1], seat) == 1 then
            table.insert(conflicts, seat)
          end
        end
        if #conflicts > 0 then
          return {'CONFLICT', unpack(conflicts)}
        end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local ttl = tonumber(ARGV[2])
        local expires = now + ttl
        redis.call('ZREMRANGEBYSCORE', KEYS[n + 4], '-inf', now)
        local held = 0
        for _, member in ipairs(redis.call('ZRANGE', KEYS[n + 4], 0, -1)) do
          held = held + tonumber(string.match(member, '|(%d+)$'))
        end
        local already = held + tonumber(ARGV[4])
        if already + n > tonumber(ARGV[3]) then
          return {'LIMIT', tostring(already)}
        end
        for i = 1, n do
          redis.call('SET', KEYS[i], reservation, 'PX', ttl)
        end
        redis.call('HSET', KEYS[n + 2], 'user', ARGV[5], 'seats', ARGV[6], 'expires_at', expires)
        redis.call('PEXPIRE', KEYS[n + 2], ttl)
        redis.call('HSET', KEYS[n + 3], 'user', ARGV[5], 'seats', ARGV[6], 'expires_at', expires)
        redis.call('EXPIRE', KEYS[n + 3], 86400)
        redis.call('ZADD', KEYS[n + 4], expires, reservation .. '|' .. n)
        redis.call('PEXPIRE', KEYS[n + 4], ttl)
        return {'OK', tostring(expires)}
        """;

    // KEYS[1..n] hold keys, KEYS[n+1] reservation, KEYS[n+2] user holds; ARGV: reservation id, n
    // Deletes only holds that are still this reservation's (an expired hold may belong to someone else now).
    public const string Release = """
        local n = tonumber(ARGV[2])
        local released = {}
        for i = 1, n do
          if redis.call('GET', KEYS[i]) == ARGV[1] then
            redis.call('DEL', KEYS[i])
            table.insert(released, string.match(KEYS[i], ':hold:(%d+)$'))
          end
        end
        redis.call('DEL', KEYS[n + 1])
        for _, member in ipairs(redis.call('ZRANGE', KEYS[n + 2], 0, -1)) do
          if string.sub(member, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
            redis.call('ZREM', KEYS[n + 2], member)
          end
        end
        return released
        """;
}
