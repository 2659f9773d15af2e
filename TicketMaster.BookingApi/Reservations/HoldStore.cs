using System.Globalization;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;
using TicketMaster.BookingApi.Seats;

namespace TicketMaster.BookingApi.Reservations;

public abstract record ReserveOutcome
{
    public sealed record Held(Reservation Reservation) : ReserveOutcome;
    public sealed record Conflict(IReadOnlyList<long> SeatIds) : ReserveOutcome;
    public sealed record OverLimit(int Already, int Limit) : ReserveOutcome;
}

// Seat holds in Redis (DESIGN §3): a hold is a key per seat whose value is the reservation id and whose TTL is
// the hold time, so a lapsed hold frees its seat without any cron job. Sold seats are mirrored into a set that
// the reserve script checks; MySQL stays the final arbiter at confirm.
public sealed class HoldStore(IConnectionMultiplexer redis, MySqlDataSource dataSource, IOptions<BookingOptions> options, SeatEvents seatEvents)
{
    private static readonly TimeSpan SoldSetCheckInterval = TimeSpan.FromSeconds(30);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, DateTime> _soldSetChecked = new();

    private IDatabase Db => redis.GetDatabase();

    public async Task<ReserveOutcome> ReserveAsync(long eventId, string userId, IReadOnlyList<long> seatIds, string reservationId,
        int limit, int alreadyBooked, CancellationToken cancellationToken)
    {
        await EnsureSoldSeatsLoadedAsync(eventId, cancellationToken);
        var seats = seatIds.Order().ToList();
        var keys = seats.Select(s => HoldKeys.Hold(eventId, s))
            .Append(HoldKeys.Sold(eventId))
            .Append(HoldKeys.Reservation(eventId, reservationId))
            .Append(HoldKeys.ReservationRecord(eventId, reservationId))
            .Append(HoldKeys.UserHolds(eventId, userId))
            .ToArray();
        var ttl = (long)options.Value.HoldTtl.TotalMilliseconds;
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(HoldScripts.Reserve, keys,
            [reservationId, ttl, limit, alreadyBooked, userId, string.Join(',', seats), seats.Count]))!;

        switch ((string?)result[0])
        {
            case "OK":
                var held = new Reservation(reservationId, eventId, userId, seats, FromMilliseconds(result[1]));
                await seatEvents.PublishAsync(eventId, SeatEvents.Held, seats);
                return new ReserveOutcome.Held(held);
            case "EXISTS":
                var existing = await GetAsync(reservationId, cancellationToken);
                return existing is { Active: { } active }
                    ? new ReserveOutcome.Held(active)
                    : new ReserveOutcome.Conflict(seats);
            case "CONFLICT":
                return new ReserveOutcome.Conflict(result.Skip(1).Select(r => long.Parse((string)r!, CultureInfo.InvariantCulture)).ToList());
            case "LIMIT":
                return new ReserveOutcome.OverLimit(int.Parse((string)result[1]!, CultureInfo.InvariantCulture), limit);
            default:
                throw new InvalidOperationException($"Unexpected reserve script result {result[0]}");
        }
    }

    /// <summary>The live reservation (null once it expired or was released) and its longer-lived record.</summary>
    public async Task<(Reservation? Active, Reservation? Record)?> GetAsync(string reservationId, CancellationToken cancellationToken)
    {
        if (!Reservation.TryParseEventId(reservationId, out var eventId))
        {
            return null;
        }
        var active = await ReadAsync(HoldKeys.Reservation(eventId, reservationId), reservationId, eventId);
        var record = active ?? await ReadAsync(HoldKeys.ReservationRecord(eventId, reservationId), reservationId, eventId);
        return record is null ? null : (active, record);
    }

    /// <summary>Frees the seats still held by this reservation.</summary>
    public async Task<IReadOnlyList<long>> ReleaseAsync(Reservation reservation, string? seatEvent)
    {
        var keys = reservation.SeatIds.Select(s => HoldKeys.Hold(reservation.EventId, s))
            .Append(HoldKeys.Reservation(reservation.EventId, reservation.ReservationId))
            .Append(HoldKeys.UserHolds(reservation.EventId, reservation.UserId))
            .ToArray();
        var released = (RedisResult[])(await Db.ScriptEvaluateAsync(HoldScripts.Release, keys,
            [reservation.ReservationId, reservation.SeatIds.Count]))!;
        var seats = released.Select(r => long.Parse((string)r!, CultureInfo.InvariantCulture)).ToList();
        if (seats.Count > 0 && seatEvent is not null)
        {
            await seatEvents.PublishAsync(reservation.EventId, seatEvent, seats);
        }
        return seats;
    }

    /// <summary>After the booking committed: the seats join the sold set and their holds go.</summary>
    public async Task MarkSoldAsync(Reservation reservation)
    {
        await Db.SetAddAsync(HoldKeys.Sold(reservation.EventId), reservation.SeatIds.Select(s => (RedisValue)s).ToArray());
        await ReleaseAsync(reservation, seatEvent: null);
        await seatEvents.PublishAsync(reservation.EventId, SeatEvents.Sold, reservation.SeatIds);
    }

    public async Task<Dictionary<long, bool>> HeldAsync(long eventId, IReadOnlyList<long> seatIds)
    {
        var held = new Dictionary<long, bool>(seatIds.Count);
        foreach (var chunk in seatIds.Chunk(1_000))
        {
            var values = await Db.StringGetAsync(chunk.Select(s => HoldKeys.Hold(eventId, s)).ToArray());
            for (var i = 0; i < chunk.Length; i++)
            {
                held[chunk[i]] = values[i].HasValue;
            }
        }
        return held;
    }

    // The sold set is a cache of MySQL, filled once per event (and after a Redis restart) before the first hold.
    private async Task EnsureSoldSeatsLoadedAsync(long eventId, CancellationToken cancellationToken)
    {
        // Checked in Redis at most every 30 s per process (it only goes missing when Redis lost its data).
        if (_soldSetChecked.TryGetValue(eventId, out var checkedAt) && DateTime.UtcNow - checkedAt < SoldSetCheckInterval)
        {
            return;
        }
        if (await Db.KeyExistsAsync(HoldKeys.SoldLoaded(eventId)))
        {
            _soldSetChecked[eventId] = DateTime.UtcNow;
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("SELECT seat_id FROM event_seat WHERE event_id = @event AND status = 'sold'", connection);
        command.Parameters.AddWithValue("@event", eventId);
        var sold = new List<RedisValue>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                sold.Add(reader.GetInt64(0));
            }
        }
        if (sold.Count > 0)
        {
            await Db.SetAddAsync(HoldKeys.Sold(eventId), sold.ToArray());
        }
        await Db.StringSetAsync(HoldKeys.SoldLoaded(eventId), 1);
    }

    private async Task<Reservation?> ReadAsync(RedisKey key, string reservationId, long eventId)
    {
        var fields = (await Db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        if (!fields.TryGetValue("user", out var user))
        {
            return null;
        }
        var seats = fields["seats"].Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();
        return new Reservation(reservationId, eventId, user, seats,
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields["expires_at"], CultureInfo.InvariantCulture)));
    }

    private static DateTimeOffset FromMilliseconds(RedisResult value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)value!, CultureInfo.InvariantCulture));
}
