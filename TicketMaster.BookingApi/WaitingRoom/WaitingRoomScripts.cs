namespace TicketMaster.BookingApi.WaitingRoom;

public static class WaitingRoomScripts
{
    // KEYS: seed, queue, queue id by user, user by queue id, arrivals, admitted, pass expiries, the fan's booked seats,
    // requeued fans. ARGV: user id, new queue id, on_sale_at ms, when the room's keys expire (a day after the event ends;
    // each join keeps them in step with the event's end) → {queue id, rank (0-based)}. Joining twice returns the first
    // place (leaving and coming back keeps it) — except once: a fan admitted whose pass lapsed without buying anything
    // joins again at the back (their old place stays in the set, so nobody else's rank moves).
    // Before the sale the order key is the first 52 bits of SHA-1(seed ":" user id) / 2^52: random, fixed by the
    // committed seed, checkable by anyone once the seed is revealed. After it, 1 + arrival number: first come,
    // first served, behind everyone who was there before the sale.
    public const string Join = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local existing = redis.call('HGET', KEYS[3], ARGV[1])
        if existing then
          local rank = redis.call('ZRANK', KEYS[2], existing)
          local expiry = redis.call('HGET', KEYS[7], existing)
          local lapsed = rank and rank < tonumber(redis.call('GET', KEYS[6]) or '0') and expiry and tonumber(expiry) <= now
          if not lapsed or redis.call('SCARD', KEYS[8]) > 0 or redis.call('HEXISTS', KEYS[9], ARGV[1]) == 1 then
            return {existing, rank}
          end
          redis.call('HSET', KEYS[9], ARGV[1], existing)
          redis.call('PEXPIREAT', KEYS[9], ARGV[4])
        end
        local key
        if now < tonumber(ARGV[3]) then
          local seed = redis.call('GET', KEYS[1])
          key = tonumber(string.sub(redis.sha1hex(seed .. ':' .. ARGV[1]), 1, 13), 16) / 4503599627370496
        else
          key = 1 + redis.call('INCR', KEYS[5])
        end
        redis.call('ZADD', KEYS[2], key, ARGV[2])
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[4], ARGV[2], ARGV[1])
        for i = 1, 5 do
          redis.call('PEXPIREAT', KEYS[i], ARGV[4])
        end
        return {ARGV[2], redis.call('ZRANK', KEYS[2], ARGV[2])}
        """;

    // KEYS: admitted, queue. ARGV: how many more to let in, when the room's keys expire → how many were let in
    // (never beyond the queue's end).
    public const string Admit = """
        local admitted = tonumber(redis.call('GET', KEYS[1]) or '0')
        local next = math.min(admitted + tonumber(ARGV[1]), redis.call('ZCARD', KEYS[2]))
        if next > admitted then
          redis.call('SET', KEYS[1], next, 'PXAT', ARGV[2])
        end
        return next - admitted
        """;

    // KEYS: admission window, admitted, served. ARGV: the hold time in ms, when the room's keys expire → the fans let in
    // within the hold time less the reservations made meanwhile (the fans who may still take a seat). The window is one
    // snapshot per admission tick of both counts, kept in Redis so a replica taking over the admission lease goes on
    // from the same figures; at most one hold time of ticks (600 s / 250 ms = 2,400 entries).
    public const string InFlight = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local admitted = tonumber(redis.call('GET', KEYS[2]) or '0')
        local served = tonumber(redis.call('GET', KEYS[3]) or '0')
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))
        redis.call('ZADD', KEYS[1], now, now .. '|' .. admitted .. '|' .. served)
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
        local _, _, then_admitted, then_served = string.find(oldest, '^%d+|(%d+)|(%d+)$')
        return math.max(0, (admitted - tonumber(then_admitted)) - (served - tonumber(then_served)))
        """;

    // KEYS: pass expiries. ARGV: each pass's expiry if it has none yet, when the room's keys expire, then queue ids →
    // their passes' expiries in order (the window starts when a pass is first handed out; asking again does not extend it).
    public const string PassExpiries = """
        local expiries = {}
        for i = 3, #ARGV do
          if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) == 1 then
            redis.call('PEXPIREAT', KEYS[1], ARGV[2])
          end
          expiries[#expiries + 1] = redis.call('HGET', KEYS[1], ARGV[i])
        end
        return expiries
        """;
}
