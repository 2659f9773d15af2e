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

    /// <summary>What <see cref="Reserve"/> answers when the event's sold set is not loaded.</summary>
    public const string Unloaded = "UNLOADED";

    // Several reservations of one event at once (a replica's concurrent reserves, HoldStore): each is held whole or
    // not at all, in order, so a later one sees the holds of an earlier one; all seats held by the call are
    // announced in one "held" change. KEYS[1] sold set, KEYS[2] seat log, KEYS[3] the sold set's "loaded" mark (missing
    // before the event's first reserve or after Redis lost its data: the call then holds nothing → 'UNLOADED'), then
    // per reservation its n hold keys, reservation, reservation record, the fan's holds, the fan's booked seats, the
    // fan's reserve count of the rate-limit window.
    // ARGV[1] event id, ARGV[2] ttl ms, ARGV[3] count, ARGV[4] reserves per fan per window, ARGV[5] window ms, then per
    // reservation: id, user id, seat ids csv, n, per-user limit, '1' if the id came from an Idempotency-Key (a random
    // id cannot exist yet, so only then is it looked up).
    // → per reservation {'OK', expires_at_ms} | {'EXISTS', expires_at_ms} | {'CONFLICT', seat...} | {'LIMIT', already}
    //   | {'RATE', ms until the window ends}
    // The fan's rate limit is counted here rather than in a request middleware: the count is two more commands of a
    // script call the reserve makes anyway, where a limiter of its own cost a Redis round trip per reserve (bench/).
    // Every Redis command costs the single-threaded server a few microseconds in a hot sale, so each one here is
    // needed: the reservation and its record are strings set with their TTL in one command (Reservation.ToStored),
    // and the fan's expired holds are trimmed only when there are some.
    public const string Reserve = Announce + """
        if redis.call('EXISTS', KEYS[3]) == 0 then
          return 'UNLOADED'
        end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local ttl = tonumber(ARGV[2])
        local expires = tostring(now + ttl)

        local function hold(first, n, reservation, user, csv, limit, idempotent)
          local reservation_key, record_key, user_holds, booked = KEYS[first + n], KEYS[first + n + 1], KEYS[first + n + 2], KEYS[first + n + 3]
          local rate = KEYS[first + n + 4]
          local reserves = redis.call('INCR', rate)
          if reserves == 1 then
            redis.call('PEXPIRE', rate, ARGV[5])
          end
          if reserves > tonumber(ARGV[4]) then
            return {'RATE', tostring(redis.call('PTTL', rate))}
          end
          if idempotent == '1' then
            local existing = redis.call('GET', reservation_key)
            if existing then
              return {'EXISTS', string.match(existing, '^(%d+)|')}
            end
          end
          local conflicts = {'CONFLICT'}
          for i = first, first + n - 1 do
            local seat = string.match(KEYS[i], ':hold:(%d+)$')
            local holder = redis.call('GET', KEYS[i])
            if (holder and holder ~= reservation) or redis.call('SISMEMBER', KEYS[1], seat) == 1 then
              table.insert(conflicts, seat)
            end
          end
          if #conflicts > 1 then
            return conflicts
          end
          local held, stale = 0, false
          local entries = redis.call('ZRANGE', user_holds, 0, -1, 'WITHSCORES')
          for i = 1, #entries, 2 do
            if tonumber(entries[i + 1]) > now then
              held = held + tonumber(string.match(entries[i], '|(%d+)$'))
            else
              stale = true
            end
          end
          if stale then
            redis.call('ZREMRANGEBYSCORE', user_holds, '-inf', now)
          end
          local already = held + redis.call('SCARD', booked)
          if already + n > limit then
            return {'LIMIT', tostring(already)}
          end
          for i = first, first + n - 1 do
            redis.call('SET', KEYS[i], reservation, 'PX', ttl)
          end
          local stored = expires .. '|' .. csv .. '|' .. user
          redis.call('SET', reservation_key, stored, 'PX', ttl)
          redis.call('SET', record_key, stored, 'EX', 86400)
          redis.call('ZADD', user_holds, expires, reservation .. '|' .. n)
          redis.call('PEXPIRE', user_holds, ttl)
          return {'OK', expires}
        end

        local results, held = {}, {}
        local first, arg = 4, 6
        for r = 1, tonumber(ARGV[3]) do
          local n = tonumber(ARGV[arg + 3])
          results[r] = hold(first, n, ARGV[arg], ARGV[arg + 1], ARGV[arg + 2], tonumber(ARGV[arg + 4]), ARGV[arg + 5])
          if results[r][1] == 'OK' then
            table.insert(held, ARGV[arg + 2])
          end
          first = first + n + 5
          arg = arg + 6
        end
        if #held > 0 then
          announce(KEYS[2], ARGV[1], 'held', table.concat(held, ','))
        end
        return results
        """;

    // Deletes only holds that are still this reservation's (an expired hold may belong to someone else now), then
    // the reservation itself.
    private const string ReleaseHolds = """
        local function forget_reservation(reservation, reservation_key, user_holds)
          redis.call('DEL', reservation_key)
          for _, member in ipairs(redis.call('ZRANGE', user_holds, 0, -1)) do
            if string.sub(member, 1, string.len(reservation) + 1) == reservation .. '|' then
              redis.call('ZREM', user_holds, member)
            end
          end
        end

        local function release_holds(n, reservation, reservation_key, user_holds)
          local released = {}
          for i = 1, n do
            if redis.call('GET', KEYS[i]) == reservation then
              redis.call('DEL', KEYS[i])
              table.insert(released, string.match(KEYS[i], ':hold:(%d+)$'))
            end
          end
          forget_reservation(reservation, reservation_key, user_holds)
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

    // After bookings committed, for any number of reservations of one event (a writer batch's): their seats join
    // the sold set (and each fan's booked seats), and are announced in one "sold" change. A sold seat is held by
    // nobody: not by its reservation, nor by a fan who took it after that hold had lapsed (that fan's confirm
    // loses at MySQL; meanwhile the seat must not look held). KEYS[1] sold set, KEYS[2] seat log, then per
    // reservation its n hold keys, the fan's booked seats, the reservation, the fan's holds. ARGV[1] event id,
    // ARGV[2] count, then per reservation: id, n → the number of seats
    public const string MarkSold = Announce + ReleaseHolds + """
        local sold = {}
        local first, arg = 3, 3
        for r = 1, tonumber(ARGV[2]) do
          local reservation, n = ARGV[arg], tonumber(ARGV[arg + 1])
          for i = first, first + n - 1 do
            local seat = string.match(KEYS[i], ':hold:(%d+)$')
            redis.call('SADD', KEYS[1], seat)
            redis.call('SADD', KEYS[first + n], seat)
            redis.call('DEL', KEYS[i])
            table.insert(sold, seat)
          end
          forget_reservation(reservation, KEYS[first + n + 1], KEYS[first + n + 2])
          first = first + n + 3
          arg = arg + 2
        end
        if #sold > 0 then
          announce(KEYS[2], ARGV[1], 'sold', table.concat(sold, ','))
        end
        return #sold
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
