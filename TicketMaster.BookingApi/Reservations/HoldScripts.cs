namespace TicketMaster.BookingApi.Reservations;

// Lua runs atomically in Redis: all seats are held or none, and no other command interleaves. Each change is
// announced from inside the script (appended to the event's capped seat log, then published), so the seat
// stream sees changes in the order they happened and a resuming client can replay what it missed.
public static class HoldScripts
{
    // ARGV of announce: the event id (digits) and seat ids as csv (digits) — the JSON is built by concatenation
    // because cjson would round 53-bit ids through doubles.
    /// <summary>Seat changes kept for resuming clients (the MAXLEN below; approximate: Redis trims whole nodes).</summary>
    public const int SeatLogLength = 20_000;

    private const string Announce = """
        local function announce(log, event, kind, csv)
          local id = redis.call('XADD', log, 'MAXLEN', '~', 20000, '*', 'type', kind, 'seats', csv)
          redis.call('PUBLISH', 'tm:{' .. event .. '}:seats',
            '{"id":"' .. id .. '","type":"' .. kind .. '","event_id":' .. event .. ',"seat_ids":[' .. csv .. ']}')
        end

        """;

    // KEYS[1..n] hold keys, n+1 sold set, n+2 reservation, n+3 reservation record, n+4 user holds, n+5 user's
    // booked seats, n+6 seat log. ARGV: reservation id, ttl ms, per-user limit, user id, seat ids csv, n, event id
    // → {'OK', expires_at_ms} | {'EXISTS', expires_at_ms} | {'CONFLICT', seat...} | {'LIMIT', already}
    public const string Reserve = Announce + """
        local n = tonumber(ARGV[6])
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
        local already = held + redis.call('SCARD', KEYS[n + 5])
        if already + n > tonumber(ARGV[3]) then
          return {'LIMIT', tostring(already)}
        end
        for i = 1, n do
          redis.call('SET', KEYS[i], reservation, 'PX', ttl)
        end
        redis.call('HSET', KEYS[n + 2], 'user', ARGV[4], 'seats', ARGV[5], 'expires_at', expires)
        redis.call('PEXPIRE', KEYS[n + 2], ttl)
        redis.call('HSET', KEYS[n + 3], 'user', ARGV[4], 'seats', ARGV[5], 'expires_at', expires)
        redis.call('EXPIRE', KEYS[n + 3], 86400)
        redis.call('ZADD', KEYS[n + 4], expires, reservation .. '|' .. n)
        redis.call('PEXPIRE', KEYS[n + 4], ttl)
        announce(KEYS[n + 6], ARGV[7], 'held', ARGV[5])
        return {'OK', tostring(expires)}
        """;

    // Deletes only holds that are still this reservation's (an expired hold may belong to someone else now).
    private const string ReleaseHolds = """
        local function release_holds(n, reservation, reservation_key, user_holds)
          local released = {}
          for i = 1, n do
            if redis.call('GET', KEYS[i]) == reservation then
              redis.call('DEL', KEYS[i])
              table.insert(released, string.match(KEYS[i], ':hold:(%d+)$'))
            end
          end
          redis.call('DEL', reservation_key)
          for _, member in ipairs(redis.call('ZRANGE', user_holds, 0, -1)) do
            if string.sub(member, 1, string.len(reservation) + 1) == reservation .. '|' then
              redis.call('ZREM', user_holds, member)
            end
          end
          return released
        end

        """;

    // KEYS[1..n] hold keys, n+1 reservation, n+2 user holds, n+3 seat log; ARGV: reservation id, n, event id,
    // announcement ('' for none) → the seats released
    public const string Release = Announce + ReleaseHolds + """
        local n = tonumber(ARGV[2])
        local released = release_holds(n, ARGV[1], KEYS[n + 1], KEYS[n + 2])
        if #released > 0 and ARGV[4] ~= '' then
          announce(KEYS[n + 3], ARGV[3], ARGV[4], table.concat(released, ','))
        end
        return released
        """;

    // After the booking committed. KEYS[1..n] hold keys, n+1 sold set, n+2 user's booked seats, n+3 reservation,
    // n+4 user holds, n+5 seat log; ARGV: reservation id, n, event id, seat ids csv. A sold seat is held by nobody:
    // not by this reservation, nor by a fan who took it after this hold had lapsed (that fan's confirm loses at
    // MySQL; meanwhile the seat must not look held).
    public const string MarkSold = Announce + ReleaseHolds + """
        local n = tonumber(ARGV[2])
        for i = 1, n do
          local seat = string.match(KEYS[i], ':hold:(%d+)$')
          redis.call('SADD', KEYS[n + 1], seat)
          redis.call('SADD', KEYS[n + 2], seat)
          redis.call('DEL', KEYS[i])
        end
        release_holds(n, ARGV[1], KEYS[n + 3], KEYS[n + 4])
        announce(KEYS[n + 5], ARGV[3], 'sold', ARGV[4])
        return n
        """;

    // A hold key expired; every replica hears it, the first one announces it — unless the seat has moved on since
    // (held again or sold: the notification comes after the fact, and an "expired" after a newer "held" would tell
    // clients the seat is free when it is not). KEYS: dedupe key, seat log, hold key, sold set; ARGV: event id, seat id
    public const string Expired = Announce + """
        if redis.call('EXISTS', KEYS[3]) == 1 or redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 1 then
          return 0
        end
        if redis.call('SET', KEYS[1], 1, 'NX', 'PX', 2000) then
          announce(KEYS[2], ARGV[1], 'expired', ARGV[2])
          return 1
        end
        return 0
        """;
}
