namespace TicketMaster.BookingApi.Reservations;

// Lua runs atomically in Redis: all seats are held or none, and no other command interleaves. Each change is
// announced from inside the script (appended to the event's capped seat log, then published), so the seat
// stream sees changes in the order they happened and a resuming client can replay what it missed.
public static partial class HoldScripts
{
    // ARGV of announce: the event id (digits) and seat ids as csv (digits) — the JSON is built by concatenation
    // because cjson would round 53-bit ids through doubles.
    /// <summary>Seat changes kept for resuming clients (the MAXLEN below; approximate: Redis trims whole nodes).</summary>
    public const int SeatLogLength = 20_000;

    // expire_at (unix ms, EventSale.KeysExpireAtMilliseconds) bounds the log's life: a day after the event ends. The
    // expiry announcement passes none — the log it appends to was made, with its expiry, by the reserve of that hold.
    private const string Announce = """
        local function announce(log, event, kind, csv, expire_at)
          local id = redis.call('XADD', log, 'MAXLEN', '~', 20000, '*', 'type', kind, 'seats', csv)
          if expire_at then
            redis.call('PEXPIREAT', log, expire_at)
          end
          redis.call('PUBLISH', 'tm:{' .. event .. '}:seats',
            '{"id":"' .. id .. '","type":"' .. kind .. '","event_id":' .. event .. ',"seat_ids":[' .. csv .. ']}')
        end

        local function now_ms()
          local time = redis.call('TIME')
          return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        end

        """;

    /// <summary>What <see cref="Reserve"/> answers when the event's sold set is not loaded.</summary>
    public const string Unloaded = "UNLOADED";

    // Several reservations of one event at once (a replica's concurrent reserves, HoldStore): each is held whole or
    // not at all, in order, so a later one sees the holds of an earlier one; all seats held by the call are
    // announced in one "held" change. A reservation names its seats, or asks for the best n side by side (n hold
    // keys of its own, or none: the script chooses them from the seat index, SeatIndexScripts).
    // KEYS[1] sold set, KEYS[2] seat log, KEYS[3] the sold set's "loaded" mark (missing before the event's first
    // reserve or after Redis lost its data: the call then holds nothing → 'UNLOADED'), KEYS[4..8] the seat index
    // (HoldKeys.SeatIndex*), KEYS[9] the reservations made in the event (WaitingRoomKeys.Served: fans who took seats
    // are no longer in flight for the waiting room), then per reservation its hold keys (none when best), reservation, reservation record, the
    // fan's holds, the fan's booked seats, the fan's reserve count of the rate-limit window, the fan's events
    // (HoldKeys.FanEvents).
    // ARGV[1] event id, ARGV[2] ttl ms, ARGV[3] count, ARGV[4] reserves per fan per window, ARGV[5] window ms, ARGV[6] when
    // the event's keys expire (unix ms), ARGV[7] most events a fan holds seats in, ARGV[8] how long a hold lasts without
    // a keep-alive (ms; 0: holds are not kept alive, they last the ttl), then per reservation: id, user id,
    // seat ids csv ('' when best), n, per-user limit, '1' if the id came from an Idempotency-Key (a random id cannot
    // exist yet, so only then is it looked up) else '0', followed by 'w' when a waiting request asks again, each seat's index position as "seat:position" csv (picked seats), the
    // rows to choose from in order of preference as "first-last" csv ('' when picked).
    // → per reservation {'OK', expires_at_ms, seat ids csv, keep-alive limit ms or ''} | {'EXISTS', expires_at_ms} | {'CONFLICT', seat...}
    //   | {'LIMIT', already} | {'RATE', ms until the window ends} | {'EVENTS', event ids held...}
    //   | {'NONE', seats left, most side by side, seats sold in the event} (best: no n seats side by side) | {'NOINDEX'} (best: the seat index is not loaded)
    // The fan's events key is the one key outside the event's hash tag: counting a fan's events across events inside
    // this script costs a few commands, where a call of its own cost 30 % of the reserve's throughput (docs/BENCHMARKS.md).
    // On a Redis Cluster that key would be on another slot, and the check a call of its own.
    // The fan's rate limit is counted here rather than in a request middleware: the count is two more commands of a
    // script call the reserve makes anyway, where a limiter of its own cost a Redis round trip per reserve (bench/).
    // Every Redis command costs the single-threaded server a few microseconds in a hot sale, so each one here is
    // needed: the reservation and its record are strings set with their TTL in one command (Reservation.ToStored),
    // and the fan's expired holds are trimmed only when there are some. The seat index costs picked seats one GET per
    // call until best available is first asked for in the event.
    public const string Reserve = Announce + SeatIndex + BestSeats + """
        if redis.call('EXISTS', KEYS[3]) == 0 then
          return 'UNLOADED'
        end
        local now = now_ms()
        -- A hold kept only while its fan is at checkout lasts ARGV[8] ms unless kept alive (HoldScripts.KeepAlive), at
        -- most the hold time (ARGV[2]) after now.
        local ttl, keep_until = tonumber(ARGV[2]), ''
        if tonumber(ARGV[8]) > 0 and tonumber(ARGV[8]) < ttl then
          keep_until = tostring(now + ttl)
          ttl = tonumber(ARGV[8])
        end
        local expires = tostring(now + ttl)
        local times = keep_until == '' and expires or (expires .. ':' .. keep_until)
        local index = open_index(KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[1], ARGV[6])
        local swept = false

        -- The fan's rate limit, then an existing reservation of the same Idempotency-Key: nil when neither stops it.
        -- A request waiting for returned seats (ReturnsWaitlist) asks again without counting: its first ask counted.
        local function admit(reservation_key, rate, idempotent)
          if string.sub(idempotent, 2, 2) ~= 'w' then
            local reserves = redis.call('INCR', rate)
            if reserves == 1 then
              redis.call('PEXPIRE', rate, ARGV[5])
            end
            if reserves > tonumber(ARGV[4]) then
              return {'RATE', tostring(redis.call('PTTL', rate))}
            end
          end
          if string.sub(idempotent, 1, 1) == '1' then
            local existing = redis.call('GET', reservation_key)
            if existing then
              return {'EXISTS', string.match(existing, '^(%d+)')}
            end
          end
          return nil
        end

        -- The per-fan ticket limit and the most events a fan holds seats in at once: nil when n more seats are allowed.
        local function allowed(n, limit, user_holds, booked, fan_events)
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
          -- A fan holding seats here already counts this event; otherwise it must be one of at most ARGV[7].
          if held == 0 then
            redis.call('ZREMRANGEBYSCORE', fan_events, '-inf', now)
            if not redis.call('ZSCORE', fan_events, ARGV[1]) then
              local events = redis.call('ZRANGE', fan_events, 0, -1)
              if #events >= tonumber(ARGV[7]) then
                table.insert(events, 1, 'EVENTS')
                return events
              end
            end
          end
          return nil
        end

        local function commit(hold_keys, reservation, user, csv, positions, fan)
          for _, key in ipairs(hold_keys) do
            redis.call('SET', key, reservation, 'PX', ttl)
          end
          local stored = times .. '|' .. csv .. '|' .. user
          redis.call('SET', fan.reservation, stored, 'PX', ttl)
          redis.call('SET', fan.record, stored, 'EX', 86400)
          redis.call('ZADD', fan.holds, expires, reservation .. '|' .. #hold_keys)
          redis.call('PEXPIRE', fan.holds, ttl)
          redis.call('ZADD', fan.events, 'GT', expires, ARGV[1])
          if redis.call('PTTL', fan.events) < ttl then
            redis.call('PEXPIRE', fan.events, ttl)
          end
          index_held(index, reservation, positions, expires)
          return {'OK', expires, csv, keep_until}
        end

        -- The fan's six keys of a reservation, from KEYS[k] on.
        local function fan_keys(k)
          return {reservation = KEYS[k], record = KEYS[k + 1], holds = KEYS[k + 2], booked = KEYS[k + 3], rate = KEYS[k + 4], events = KEYS[k + 5]}
        end

        -- The named seats held by another reservation or sold: nil when there are none.
        local function conflicts(first, n, reservation)
          local taken = {'CONFLICT'}
          for i = first, first + n - 1 do
            local seat = string.match(KEYS[i], ':hold:(%d+)$')
            local holder = redis.call('GET', KEYS[i])
            if (holder and holder ~= reservation) or redis.call('SISMEMBER', KEYS[1], seat) == 1 then
              table.insert(taken, seat)
            end
          end
          return #taken > 1 and taken or nil
        end

        local function pick(first, n, reservation, user, csv, limit, idempotent, positions)
          local fan = fan_keys(first + n)
          local stopped = admit(fan.reservation, fan.rate, idempotent) or conflicts(first, n, reservation)
            or allowed(n, limit, fan.holds, fan.booked, fan.events)
          if stopped then
            return stopped
          end
          local hold_keys = {}
          for i = first, first + n - 1 do
            table.insert(hold_keys, KEYS[i])
          end
          return commit(hold_keys, reservation, user, csv, positions, fan)
        end

        local function best(first, n, reservation, user, limit, idempotent, rows)
          local fan = fan_keys(first)
          if not index then
            return {'NOINDEX'}
          end
          local stopped = admit(fan.reservation, fan.rate, idempotent) or allowed(n, limit, fan.holds, fan.booked, fan.events)
          if stopped then
            return stopped
          end
          if not swept then
            sweep_lapsed(index, now)
            swept = true
          end
          local seats, positions = choose_best(index, n, rows)
          if not seats then
            return {'NONE', tostring(seats_left(index, rows)), tostring(largest_block(index, n, rows)), tostring(redis.call('SCARD', KEYS[1]))}
          end
          local hold_keys = {}
          for _, seat in ipairs(seats) do
            table.insert(hold_keys, index.hold_prefix .. seat)
          end
          return commit(hold_keys, reservation, user, table.concat(seats, ','), positions, fan)
        end

        local results, held = {}, {}
        local first, arg = 10, 9
        for r = 1, tonumber(ARGV[3]) do
          local csv, n = ARGV[arg + 2], tonumber(ARGV[arg + 3])
          if ARGV[arg + 7] == '' then
            results[r] = pick(first, n, ARGV[arg], ARGV[arg + 1], csv, tonumber(ARGV[arg + 4]), ARGV[arg + 5], ARGV[arg + 6])
            first = first + n + 6
          else
            results[r] = best(first, n, ARGV[arg], ARGV[arg + 1], tonumber(ARGV[arg + 4]), ARGV[arg + 5], ARGV[arg + 7])
            first = first + 6
          end
          if results[r][1] == 'OK' then
            table.insert(held, results[r][3])
          end
          arg = arg + 8
        end
        if #held > 0 then
          announce(KEYS[2], ARGV[1], 'held', table.concat(held, ','), ARGV[6])
          redis.call('INCRBY', KEYS[9], #held)
          redis.call('PEXPIREAT', KEYS[9], ARGV[6])
          -- Kept in step with the event's end (an organizer may move it): the sold set and its mark go with the log.
          redis.call('PEXPIREAT', KEYS[1], ARGV[6])
          redis.call('PEXPIREAT', KEYS[3], ARGV[6])
          if index then
            for k = 4, 8 do
              redis.call('PEXPIREAT', KEYS[k], ARGV[6])
            end
          end
        end
        return results
        """;

    // Deletes the reservation and its entry among the fan's holds; once the fan holds nothing more in the event, the
    // event leaves the fan's events. Answers whether the reservation was still there.
    private const string ReleaseHolds = """
        local function forget_reservation(event, reservation, reservation_key, user_holds, fan_events)
          local deleted = redis.call('DEL', reservation_key)
          for _, member in ipairs(redis.call('ZRANGE', user_holds, 0, -1)) do
            if string.sub(member, 1, string.len(reservation) + 1) == reservation .. '|' then
              redis.call('ZREM', user_holds, member)
            end
          end
          redis.call('ZREMRANGEBYSCORE', user_holds, '-inf', now_ms())
          if redis.call('ZCARD', user_holds) == 0 then
            redis.call('ZREM', fan_events, event)
          end
          return deleted
        end

        """;

    // Deletes only holds that are still this reservation's (an expired hold may belong to someone else now), then the
    // reservation. KEYS[1..n] hold keys, n+1 reservation, n+2 user holds, n+3 seat log, n+4 reservation record, n+5 the
    // fan's events, n+6..n+10 the seat index (mark, taken, free, rows, lapses), n+11 the sold set; ARGV: reservation id,
    // n, event id, announcement ('' for none), when the event's keys expire, the seats' "seat:position" csv → the seats
    // released. Released by its fan, a reservation is not needed any more: its record goes too (a sold one keeps it,
    // so a retried confirm finds its booking).
    public const string Release = Announce + ReleaseHolds + SeatIndex + """
        local n = tonumber(ARGV[2])
        local index = open_index(KEYS[n + 6], KEYS[n + 7], KEYS[n + 8], KEYS[n + 9], KEYS[n + 10], KEYS[n + 11], ARGV[5])
        local released, freed = {}, {}
        for i = 1, n do
          local seat, holder = string.match(KEYS[i], ':hold:(%d+)$'), redis.call('GET', KEYS[i])
          if holder == ARGV[1] then
            redis.call('DEL', KEYS[i])
            table.insert(released, seat)
            freed[seat] = true
          elseif index and not holder and redis.call('SISMEMBER', KEYS[n + 11], seat) == 0 then
            freed[seat] = true -- lapsed already: free in the index too, as the sweep would have made it
          end
        end
        if forget_reservation(ARGV[3], ARGV[1], KEYS[n + 1], KEYS[n + 2], KEYS[n + 5]) == 1 then
          redis.call('DEL', KEYS[n + 4])
        end
        index_freed(index, ARGV[6], freed)
        index_forget(index, ARGV[1], ARGV[6])
        if #released > 0 and ARGV[4] ~= '' then
          announce(KEYS[n + 3], ARGV[3], ARGV[4], table.concat(released, ','), ARGV[5])
        end
        return released
        """;

    // After bookings committed, for any number of reservations of one event (a writer batch's): their seats join
    // the sold set (and each fan's booked seats), and are announced in one "sold" change. A sold seat is held by
    // nobody: not by its reservation, nor by a fan who took it after that hold had lapsed (that fan's confirm
    // loses at MySQL; meanwhile the seat must not look held). KEYS[1] sold set, KEYS[2] seat log, KEYS[3..7] the seat
    // index (mark, taken, free, rows, lapses), then per reservation its n hold keys, the fan's
    // booked seats, the reservation, the fan's holds, the fan's events. ARGV[1] event id, ARGV[2] count, ARGV[3] when
    // the event's keys expire, then per reservation: id, n, the seats' "seat:position" csv → the number of seats
    public const string MarkSold = Announce + ReleaseHolds + SeatIndex + """
        local sold = {}
        local index = open_index(KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[1], ARGV[3])
        local first, arg = 8, 4
        for r = 1, tonumber(ARGV[2]) do
          local reservation, n = ARGV[arg], tonumber(ARGV[arg + 1])
          for i = first, first + n - 1 do
            local seat = string.match(KEYS[i], ':hold:(%d+)$')
            redis.call('SADD', KEYS[1], seat)
            redis.call('SADD', KEYS[first + n], seat)
            redis.call('DEL', KEYS[i])
            table.insert(sold, seat)
          end
          index_sold(index, ARGV[arg + 2])
          index_forget(index, reservation, ARGV[arg + 2])
          redis.call('PEXPIREAT', KEYS[first + n], ARGV[3])
          forget_reservation(ARGV[1], reservation, KEYS[first + n + 1], KEYS[first + n + 2], KEYS[first + n + 3])
          first = first + n + 4
          arg = arg + 3
        end
        if #sold > 0 then
          redis.call('PEXPIREAT', KEYS[1], ARGV[3])
          announce(KEYS[2], ARGV[1], 'sold', table.concat(sold, ','), ARGV[3])
        end
        return #sold
        """;

    // A refund gave sold seats back (MySQL has them available already): they leave the sold set and their fan's booked
    // seats, and are announced released. KEYS[1] sold set, KEYS[2] the fan's booked seats, KEYS[3] seat log, KEYS[4..8]
    // the seat index (mark, taken, free, rows, lapses); ARGV[1] event id, ARGV[2] when the event's keys expire, ARGV[3]
    // the seats' "seat:position" csv, ARGV[4..] the seat ids → the number of seats that left the sold set.
    public const string ReleaseSold = Announce + SeatIndex + """
        local released, freed = {}, {}
        for i = 4, #ARGV do
          if redis.call('SREM', KEYS[1], ARGV[i]) == 1 then
            table.insert(released, ARGV[i])
            freed[ARGV[i]] = true
          end
          redis.call('SREM', KEYS[2], ARGV[i])
        end
        index_freed(open_index(KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[1], ARGV[2]), ARGV[3], freed)
        if #released > 0 then
          announce(KEYS[3], ARGV[1], 'released', table.concat(released, ','), ARGV[2])
        end
        return #released
        """;

    // A transferred ticket's seat moves from one fan's booked seats to another's (the per-fan limit at reserve counts
    // them). KEYS[1] the sender's booked seats, KEYS[2] the recipient's; ARGV[1] the seat, ARGV[2] when the event's keys expire.
    public const string MoveBooked = """
        redis.call('SREM', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[1])
        redis.call('PEXPIREAT', KEYS[2], ARGV[2])
        return 1
        """;

    // A fan still at checkout keeps a hold alive (a hold of an event that keeps holds only so, HoldStore.KeepAliveAsync):
    // its seats, reservation, entry among the fan's holds and events, and its seat-index lapse move to now + ARGV[2] ms,
    // never past the limit the reserve set; its record says so too. KEYS[1] reservation, KEYS[2] the fan's holds,
    // KEYS[3] the fan's events, KEYS[4] the seat index's lapses, KEYS[5] the reservation's record, KEYS[6..] its hold keys; ARGV[1] reservation id, ARGV[2] ms, ARGV[3] event id,
    // ARGV[4] the seats' "seat:position" csv → {'OK', expires_at ms, limit ms} | {'FIXED', expires_at ms} (a hold that
    // lasts its time without keep-alives) | {'GONE'} (lapsed, released or bought).
    public const string KeepAlive = Announce + """
        local stored = redis.call('GET', KEYS[1])
        if not stored then
          return {'GONE'}
        end
        local expires, keep_until, rest = string.match(stored, '^(%d+):(%d+)(|.*)$')
        if not keep_until then
          return {'FIXED', string.match(stored, '^(%d+)')}
        end
        local now = now_ms()
        local ends = math.min(now + tonumber(ARGV[2]), tonumber(keep_until))
        if ends <= tonumber(expires) then
          return {'OK', expires, keep_until}
        end
        local ttl = ends - now
        for i = 6, #KEYS do
          if redis.call('GET', KEYS[i]) == ARGV[1] then
            redis.call('PEXPIRE', KEYS[i], ttl)
          end
        end
        local kept = tostring(ends) .. ':' .. keep_until .. rest
        redis.call('SET', KEYS[1], kept, 'PX', ttl)
        redis.call('SET', KEYS[5], kept, 'KEEPTTL')
        redis.call('ZADD', KEYS[2], 'XX', ends, ARGV[1] .. '|' .. (#KEYS - 5))
        if redis.call('PTTL', KEYS[2]) < ttl then
          redis.call('PEXPIRE', KEYS[2], ttl)
        end
        redis.call('ZADD', KEYS[3], 'GT', ends, ARGV[3])
        if redis.call('PTTL', KEYS[3]) < ttl then
          redis.call('PEXPIRE', KEYS[3], ttl)
        end
        if ARGV[4] ~= '' then
          redis.call('ZADD', KEYS[4], 'XX', ends, ARGV[1] .. '|' .. ARGV[4])
        end
        return {'OK', tostring(ends), keep_until}
        """;

    // A hold key expired; every replica hears it, the first one announces it — unless the seat has moved on since
    // (held again or sold: the notification comes after the fact, and an "expired" after a newer "held" would tell
    // clients the seat is free when it is not). KEYS: dedupe key, seat log, hold key, sold set; ARGV: event id, seat id
    public const string Expired = Announce + """
        if redis.call('EXISTS', KEYS[3]) == 1 or redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 1 then
          return 0
        end
        if redis.call('SET', KEYS[1], 1, 'NX', 'PX', 2000) then
          announce(KEYS[2], ARGV[1], 'expired', ARGV[2], nil)
          return 1
        end
        return 0
        """;
}
