namespace TicketMaster.BookingApi.Reservations;

// The seat index answers "the best n free seats side by side" inside the reserve script without reading every seat's
// hold key: one bit per seat (held or sold = 1) laid out row by row in the venue's order (SeatLayout), a count of free
// seats per row (u16, big-endian, so the script skips full rows reading one string), each row's seat ids, and the
// times holds lapse. A hold key ends by its own TTL with no script running, so its bit is cleared by the next best
// request after the hold's end (sweep_lapsed) — unless the seat was held again or sold meanwhile. The index is only a
// guide: the seats it offers are checked against their hold keys and the sold set before they are held, and a seat
// found taken is marked so, so a stale bit costs a retry, never a seat held twice.
// Built on the first best-available request of an event (LoadSeatIndex); until then picked seats pay one GET per call.
// The hold keys of seats the script chooses cannot be passed in (nobody knows them before): it names them itself, with
// the event's hash tag, so they live on the Redis Cluster slot of the keys it was given.
public static partial class HoldScripts
{
    // open_index: the index's keys and row width, or nil while the index is not built. expire_at (unix ms) bounds the
    // lapse set's life when a hold re-creates it.
    private const string SeatIndex = """
        local function open_index(mark, taken, free, rows, lapses, sold, expire_at)
          local stride = redis.call('GET', mark)
          if not stride then
            return nil
          end
          return {stride = tonumber(stride), mark = mark, taken = taken, free = free, rows = rows, lapses = lapses, sold = sold,
            hold_prefix = string.sub(sold, 1, -5) .. 'hold:', expire_at = expire_at, ids = {}}
        end

        local function mark_taken(index, position)
          if redis.call('SETBIT', index.taken, position, 1) == 0 then
            redis.call('BITFIELD', index.free, 'INCRBY', 'u16', '#' .. math.floor(position / index.stride), -1)
          end
        end

        local function mark_free(index, position)
          if redis.call('SETBIT', index.taken, position, 0) == 1 then
            redis.call('BITFIELD', index.free, 'INCRBY', 'u16', '#' .. math.floor(position / index.stride), 1)
          end
        end

        -- positions: "seat:position" csv of a reservation's seats, held until expires (unix ms).
        local function index_held(index, reservation, positions, expires)
          if not index or positions == '' then
            return
          end
          for _, position in string.gmatch(positions, '(%d+):(%d+)') do
            mark_taken(index, tonumber(position))
          end
          redis.call('ZADD', index.lapses, expires, reservation .. '|' .. positions)
          redis.call('PEXPIREAT', index.lapses, index.expire_at)
        end

        -- The seats among positions ("seat:position" csv) that are in freed (a set of seat ids) are free now: released,
        -- or given back by a refund.
        local function index_freed(index, positions, freed)
          if not index then
            return
          end
          for seat, position in string.gmatch(positions, '(%d+):(%d+)') do
            if freed[seat] then
              mark_free(index, tonumber(position))
            end
          end
        end

        local function index_sold(index, positions)
          if not index then
            return
          end
          for _, position in string.gmatch(positions, '(%d+):(%d+)') do
            mark_taken(index, tonumber(position))
          end
        end

        -- A reservation released or sold needs no sweep: its entry goes (the same "seat:position" csv it was held with).
        local function index_forget(index, reservation, positions)
          if index and positions ~= '' then
            redis.call('ZREM', index.lapses, reservation .. '|' .. positions)
          end
        end

        -- Holds whose time is up (at most 256 per call, the rest in the next): each seat nobody holds now and nobody
        -- bought is free again. Due means strictly before now, and a hold still its reservation's keeps its entry: a key
        -- set to expire at t still exists during t's millisecond.
        local function sweep_lapsed(index, now)
          local due = redis.call('ZRANGEBYSCORE', index.lapses, '-inf', '(' .. now, 'LIMIT', 0, 256)
          for _, member in ipairs(due) do
            local reservation, positions = string.match(member, '^(.-)|(.*)$')
            local live = false
            for seat, position in string.gmatch(positions, '(%d+):(%d+)') do
              local holder = redis.call('GET', index.hold_prefix .. seat)
              if holder == reservation then
                live = true
              elseif not holder and redis.call('SISMEMBER', index.sold, seat) == 0 then
                mark_free(index, tonumber(position))
              end
            end
            if not live then
              redis.call('ZREM', index.lapses, member)
            end
          end
        end

        """;

    // choose_best(index, n, rows): rows is "first-last" csv of row ranges in order of preference. Best = the first row
    // (in that order) with n free seats side by side, the block nearest the row's centre, unless every block there
    // leaves a lone free seat beside it: then later rows are looked at too (up to 32 such rows) for a block that
    // leaves none, and failing that the first such block is taken. → the seat ids and their "seat:position" csv, or nil.
    private const string BestSeats = """
        local function row_free(counts, r)
          local high, low = string.byte(counts, 2 * r + 1, 2 * r + 2)
          return (high or 0) * 256 + (low or 0)
        end

        local function row_ids(index, r)
          local ids = index.ids[r]
          if not ids then
            ids = {}
            for id in string.gmatch(redis.call('HGET', index.rows, r) or '', '%d+') do
              table.insert(ids, id)
            end
            index.ids[r] = ids
          end
          return ids
        end

        -- Which of the row's seats are free (0-based, left to right).
        local function row_free_seats(index, r, len)
          local base = r * index.stride
          local bytes = redis.call('GETRANGE', index.taken, base / 8, (base + index.stride) / 8 - 1)
          local free = {}
          for i = 0, len - 1 do
            local byte = string.byte(bytes, math.floor(i / 8) + 1) or 0
            free[i] = bit.band(byte, bit.rshift(128, i % 8)) == 0
          end
          return free
        end

        -- The start (0-based) of the row's best block of n free seats and whether it leaves a lone seat, or nil.
        local function best_in_row(index, r, n, len)
          local free = row_free_seats(index, r, len)
          local best_start, best_score, best_orphan
          local run = 0
          for i = 0, len - 1 do
            if free[i] then
              run = run + 1
            else
              run = 0
            end
            if run >= n then
              local s = i - n + 1
              -- A lone seat: free, beside the block, with a taken seat or the row's end on its other side.
              local orphan = (s >= 1 and free[s - 1] and not free[s - 2]) or (i + 1 < len and free[i + 1] and not free[i + 2])
              local score = math.abs(2 * s + n - len) + (orphan and 1000000 or 0)
              if not best_score or score < best_score then
                best_start, best_score, best_orphan = s, score, orphan
              end
            end
          end
          return best_start, best_orphan
        end

        local function scan(index, n, rows, counts)
          local fallback_row, fallback_start, orphan_rows = nil, nil, 0
          for first, last in string.gmatch(rows, '(%d+)-(%d+)') do
            for r = tonumber(first), tonumber(last) do
              if row_free(counts, r) >= n then
                local start, orphan = best_in_row(index, r, n, #row_ids(index, r))
                if start and not orphan then
                  return r, start
                end
                if start then
                  if not fallback_row then
                    fallback_row, fallback_start = r, start
                  end
                  orphan_rows = orphan_rows + 1
                  if orphan_rows >= 32 then
                    return fallback_row, fallback_start
                  end
                end
              end
            end
          end
          return fallback_row, fallback_start
        end

        local function choose_best(index, n, rows)
          for _ = 1, 8 do
            local r, start = scan(index, n, rows, redis.call('GET', index.free) or '')
            if not r then
              return nil
            end
            local ids = row_ids(index, r)
            local seats, positions, stale = {}, {}, false
            for i = start, start + n - 1 do
              local seat, position = ids[i + 1], r * index.stride + i
              if redis.call('EXISTS', index.hold_prefix .. seat) == 1 or redis.call('SISMEMBER', index.sold, seat) == 1 then
                mark_taken(index, position)
                stale = true
              end
              table.insert(seats, seat)
              table.insert(positions, seat .. ':' .. position)
            end
            if not stale then
              return seats, table.concat(positions, ',')
            end
          end
          return nil
        end

        -- The most free seats side by side in one row (fewer than n: the caller found no n), looking only at rows with
        -- more free seats than found so far, so a sold-out tail reads few rows.
        local function largest_block(index, n, rows)
          local counts, largest = redis.call('GET', index.free) or '', 0
          for first, last in string.gmatch(rows, '(%d+)-(%d+)') do
            for r = tonumber(first), tonumber(last) do
              if row_free(counts, r) > largest then
                local len = #row_ids(index, r)
                local free, run = row_free_seats(index, r, len), 0
                for i = 0, len - 1 do
                  run = free[i] and run + 1 or 0
                  if run > largest then
                    largest = run
                  end
                end
                if largest >= n - 1 then
                  return largest
                end
              end
            end
          end
          return largest
        end

        local function seats_left(index, rows)
          local counts, left = redis.call('GET', index.free) or '', 0
          for first, last in string.gmatch(rows, '(%d+)-(%d+)') do
            for r = tonumber(first), tonumber(last) do
              left = left + row_free(counts, r)
            end
          end
          return left
        end

        """;

    /// <summary>What <see cref="LoadSeatIndex"/> answers when it built the index (or found it built).</summary>
    public const string IndexLoaded = "OK";

    // Builds the event's seat index from the hold keys and the sold set as they are now, in one atomic call (a reserve
    // cannot hold a seat between a row's reading and the index's mark). KEYS[1] the index mark, KEYS[2] taken bits,
    // KEYS[3] free counts, KEYS[4] row seat ids, KEYS[5] lapse times, KEYS[6] sold set, KEYS[7] the sold set's "loaded"
    // mark; ARGV[1] row width in bits (a multiple of 8), ARGV[2] when the event's keys expire (unix ms), ARGV[3..] each
    // row's seat ids csv, left to right, in the layout's order → 'OK' | 'UNLOADED' (load the sold set first).
    public const string LoadSeatIndex = """
        if redis.call('EXISTS', KEYS[7]) == 0 then
          return 'UNLOADED'
        end
        if redis.call('EXISTS', KEYS[1]) == 1 then
          return 'OK'
        end
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local stride = tonumber(ARGV[1])
        local hold_prefix = string.sub(KEYS[6], 1, -5) .. 'hold:'
        for r = 0, #ARGV - 3 do
          local csv = ARGV[r + 3]
          redis.call('HSET', KEYS[4], r, csv)
          local free, i = 0, 0
          for seat in string.gmatch(csv, '%d+') do
            local position = r * stride + i
            local holder = redis.call('GET', hold_prefix .. seat)
            if holder then
              redis.call('SETBIT', KEYS[2], position, 1)
              redis.call('ZADD', KEYS[5], now + math.max(redis.call('PTTL', hold_prefix .. seat), 0), holder .. '|' .. seat .. ':' .. position)
            elseif redis.call('SISMEMBER', KEYS[6], seat) == 1 then
              redis.call('SETBIT', KEYS[2], position, 1)
            else
              free = free + 1
            end
            i = i + 1
          end
          redis.call('BITFIELD', KEYS[3], 'SET', 'u16', '#' .. r, free)
        end
        -- A venue whose seats are all free has no bit set yet: the bitmap exists all the same, with its expiry.
        redis.call('SETBIT', KEYS[2], stride * (#ARGV - 2) - 1, redis.call('GETBIT', KEYS[2], stride * (#ARGV - 2) - 1))
        redis.call('SET', KEYS[1], stride)
        for k = 1, 5 do
          redis.call('PEXPIREAT', KEYS[k], ARGV[2])
        end
        return 'OK'
        """;
}
