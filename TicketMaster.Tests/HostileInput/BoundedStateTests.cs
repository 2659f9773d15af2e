using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;
using TicketMaster.BookingApi;
using TicketMaster.BookingApi.Caching;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.HostileInput;

// Every piece of state has a bound: Redis keys a TTL (an event's keys a day after it ends) or a hard size, handled
// MySQL rows a retention. Redis runs with maxmemory and noeviction, so when it is full it refuses new writes (a 503
// the fan may retry) instead of silently evicting somebody's hold, and BookingApi's health says how full it is.
[Collection(AppHostCollection.Name)]
public sealed class BoundedStateTests(AppHostFixture fixture)
{
    /// <summary>Keys without a TTL, each bounded otherwise (docs/OPERATIONS.md, "Redis keys").</summary>
    private static readonly HashSet<string> BoundedWithoutTtl = ["tm:wr:active", "tm:invariants:watched"];

    /// <summary>ASP.NET Core's Redis output cache keeps its tag indexes (`__MSOCT`, `__MSOCT_{tag}`) without a TTL and trims them itself.</summary>
    private const string OutputCacheTags = "__MSOCT";

    [Fact]
    public async Task A_full_Redis_refuses_new_holds_with_503_and_evicts_no_one()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var holder = sale.Fan("memory-holder");
        using var late = sale.Fan("memory-late");
        await using var redis = await AdminAsync();
        var server = redis.GetServers().Single();
        var configured = (await server.ConfigGetAsync("maxmemory")).Single().Value;
        Assert.Equal("noeviction", (await server.ConfigGetAsync("maxmemory-policy")).Single().Value);
        Assert.Equal(384L * 1024 * 1024, long.Parse(configured));
        using var booking = fixture.App.CreateHttpClient("bookingapi");
        Assert.Equal("Healthy", (await booking.GetJsonAsync("/health")).GetProperty("checks").GetProperty("redis-memory").GetString());
        await BookingSetup.ReservationIdAsync(holder, sale.EventId, sale.SeatIds[0]);

        await server.ConfigSetAsync("maxmemory", "1");
        try
        {
            var refused = await BookingSetup.ReserveAsync(late, sale.EventId, sale.SeatIds[1]);
            await refused.AssertProblemAsync(503);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            Assert.True(await redis.GetDatabase().KeyExistsAsync(HoldKeys.Hold(sale.EventId, sale.SeatIds[0])), "the existing hold was not evicted");
            var health = await booking.GetAsync("/health");
            Assert.Equal("Degraded", (await health.ReadJsonAsync()).GetProperty("checks").GetProperty("redis-memory").GetString());
        }
        finally
        {
            await server.ConfigSetAsync("maxmemory", configured);
        }

        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(late, sale.EventId, sale.SeatIds[1])).StatusCode);
        await sale.AssertInvariantsAsync();
    }

    // The fan's rate limit (30 writes per 10 s) would spread 2,000 writes over eleven minutes, so the pairs run one
    // layer below HTTP: BookingApi's own HoldStore, against the same Redis and MySQL, with that limit raised. The
    // endpoint's release runs the same script (the next test).
    [Fact]
    public async Task A_thousand_reserve_release_pairs_by_one_fan_leave_the_Redis_keys_and_MySQL_rows_where_they_started()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 20);
        await using var redis = await AdminAsync();
        await using var mysql = new MySqlDataSource(await fixture.GetConnectionStringAsync("booking"));
        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(AppHostFixture.JwtSigningKey)));
        var catalog = new SeatCatalog(mysql, new SaleEventStore(mysql), new CatalogClient(fixture.App.CreateHttpClient("eventsapi"), tokens),
            new SingleFlightCache(new MemoryCache(new MemoryCacheOptions())));
        var window = TimeSpan.FromSeconds(1);
        var holds = new HoldStore(redis, catalog, Options.Create(new BookingOptions { HoldTtl = AppHostFixture.HoldTtl }),
            Options.Create(new RateLimitOptions { WritesPerUser = 1_000_000, Window = window }),
            new TicketMaster.BookingApi.WaitingRoom.BookingPathLatency(redis, Microsoft.Extensions.Logging.Abstractions.NullLogger<TicketMaster.BookingApi.WaitingRoom.BookingPathLatency>.Instance),
            new DueHoldSweeper(redis, Microsoft.Extensions.Logging.Abstractions.NullLogger<DueHoldSweeper>.Instance));
        var eventSale = (await catalog.GetSaleAsync(sale.EventId, [], CancellationToken.None))!;
        const string fan = "bounded-state-fan";

        async Task PairAsync(int i)
        {
            var seats = new[] { sale.SeatIds[i % 20] };
            var outcome = await holds.ReserveAsync(sale.EventId, eventSale, fan, SeatChoice.Named(seats), Reservation.NewId(sale.EventId, fan, null), false, CancellationToken.None);
            var held = Assert.IsType<ReserveOutcome.Held>(outcome);
            Assert.Equal(seats, await holds.ReleaseAsync(held.Reservation, SeatEvents.Released));
        }

        await PairAsync(0); // the event's first reserve loads its sold set and starts its seat log
        var server = redis.GetServers().Single();
        var before = await SettledKeysAsync(server, sale.EventId, fan, window);
        var memoryBefore = await UsedMemoryAsync(server);
        var rowsBefore = await RowCountsAsync();

        for (var i = 1; i <= 1_000; i++)
        {
            await PairAsync(i);
        }

        var after = await SettledKeysAsync(server, sale.EventId, fan, window);
        Assert.Equal(before, after);
        Assert.Equal(rowsBefore, await RowCountsAsync());
        var memoryAfter = await UsedMemoryAsync(server);
        // The seat log keeps the 2,000 changes (it is capped at 20,000 and expires with the event); nothing else grew.
        Assert.InRange(await redis.GetDatabase().StreamLengthAsync(HoldKeys.SeatLog(sale.EventId)), 2_000, HoldScripts.SeatLogLength + 200);
        Console.WriteLine($"bounded state: {before.Count} keys of the event and fan before and after 1,000 reserve/release pairs; "
            + $"Redis used_memory {memoryBefore:N0} → {memoryAfter:N0} bytes");
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Releasing_a_hold_deletes_its_reservation_record_so_nothing_of_it_outlives_the_release()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var fan = sale.Fan("record-releaser");
        await using var redis = await AdminAsync();
        var db = redis.GetDatabase();
        var released = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);
        var lapsing = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[1]);
        Assert.True(await db.KeyExistsAsync(HoldKeys.ReservationRecord(sale.EventId, released)));

        Assert.Equal(HttpStatusCode.NoContent, (await fan.DeleteAsync($"/v1/booking/reservations/{released}")).StatusCode);

        Assert.False(await db.KeyExistsAsync(HoldKeys.ReservationRecord(sale.EventId, released)), "the released reservation's record is gone");
        Assert.False(await db.KeyExistsAsync(HoldKeys.Reservation(sale.EventId, released)));
        await (await BookingSetup.ConfirmAsync(fan, released)).AssertProblemAsync(404);
        // A hold that lapsed on its own keeps its record, so its late confirm is told it expired.
        await Task.Delay(AppHostFixture.HoldTtl + TimeSpan.FromSeconds(1));
        await (await BookingSetup.ConfirmAsync(fan, lapsing)).AssertProblemAsync(410);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Every_Redis_key_has_a_TTL_and_an_events_keys_expire_a_day_after_it_ends()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3, waitingRoom: true);
        using var fan = sale.Fan("ttl-fan");
        using var buyer = sale.Fan("ttl-buyer");
        using var owner = sale.Owner();
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PutJsonAsync($"/v1/booking/events/{sale.EventId}/queue/admission",
            new { admissions_per_second = 1000 })).StatusCode);
        var pass = await sale.QueuePassAsync(fan);
        var buyerPass = await sale.QueuePassAsync(buyer);
        var released = await BookingSetup.ReservationIdWithPassAsync(fan, sale.EventId, pass, sale.SeatIds[0]);
        Assert.Equal(HttpStatusCode.NoContent, (await fan.DeleteAsync($"/v1/booking/reservations/{released}")).StatusCode);
        var bought = await BookingSetup.ReservationIdWithPassAsync(buyer, sale.EventId, buyerPass, sale.SeatIds[1]);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(buyer, bought)).StatusCode);
        await BookingSetup.ReservationIdWithPassAsync(fan, sale.EventId, pass, sale.SeatIds[2]);

        await using var redis = await AdminAsync();
        var server = redis.GetServers().Single();
        var db = redis.GetDatabase();
        await Eventually.TrueAsync(async () => await db.KeyExistsAsync(HoldKeys.Booked(sale.EventId, "ttl-buyer")), TimeSpan.FromSeconds(10),
            "the queued writer marked the sale in Redis");
        await using var mysql = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await mysql.OpenAsync();
        await using var ends = new MySqlCommand("SELECT ends_at FROM sale_event WHERE event_id = @e", mysql);
        ends.Parameters.AddWithValue("@e", sale.EventId);
        var expected = new DateTimeOffset(DateTime.SpecifyKind((DateTime)(await ends.ExecuteScalarAsync())!, DateTimeKind.Utc)) + EventSale.KeyRetention;

        var eventKeys = await KeysAsync(server, $"tm:{{{sale.EventId}}}:*");
        foreach (var name in new[] { "sold", "sold:loaded", "seats:log", "wr:seed", "wr:queue", "wr:users", "wr:owners", "wr:arrivals", "wr:admitted",
            "wr:passes", "wr:rate", $"booked:ttl-buyer" })
        {
            Assert.Contains($"tm:{{{sale.EventId}}}:{name}", eventKeys);
        }
        foreach (var key in eventKeys)
        {
            var expiresAt = await ExpireTimeAsync(db, key);
            Assert.True(expiresAt is not null, $"{key} has no TTL");
            // Holds, reservations and their day-long records expire sooner; the event's own keys with it.
            Assert.True(expiresAt <= expected.AddSeconds(1), $"{key} expires at {expiresAt:O}, after {expected:O}");
            // The admission loop's last decision lives seconds (renewed each tick), the room's other keys as long as the event.
            if (key.EndsWith(":sold") || key.Contains(":wr:") && !key.EndsWith(":wr:decision") || key.EndsWith(":seats:log") || key.Contains(":booked:"))
            {
                Assert.True(Math.Abs((expiresAt!.Value - expected).TotalSeconds) < 2, $"{key} expires at {expiresAt:O}, not {expected:O}");
            }
        }

        // Every key anyone wrote in this run, not only this event's.
        foreach (var key in await KeysAsync(server, "*"))
        {
            if (!BoundedWithoutTtl.Contains(key) && !key.StartsWith(OutputCacheTags, StringComparison.Ordinal))
            {
                Assert.True(await ExpireTimeAsync(db, key) is not null || !await db.KeyExistsAsync(key), $"{key} has no TTL");
            }
        }
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task An_event_that_has_ended_sells_nothing_more()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1, startsAt: DateTimeOffset.UtcNow.AddDays(-1));
        using var fan = sale.Fan("too-late-fan");

        var problem = await (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0])).AssertProblemAsync(409);

        Assert.Equal("ended", problem.GetProperty("event_status").GetString());
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Sent_outbox_rows_and_handled_message_ids_are_pruned_after_their_retention()
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("mysql"));
        await db.OpenAsync();
        var tag = Guid.NewGuid().ToString("N")[..12];
        await using (var insert = new MySqlCommand("""
            INSERT INTO catalog.outbox (aggregate_type, aggregate_id, message_type, payload, created_at, sent_at) VALUES
              ('retention', 1, @tag, '{}', NOW(6) - INTERVAL 9 DAY, NOW(6) - INTERVAL 8 DAY),
              ('retention', 2, @tag, '{}', NOW(6) - INTERVAL 2 DAY, NOW(6) - INTERVAL 1 DAY);
            INSERT INTO booking.processed_message (id, processed_at) VALUES
              (CONCAT('old_', @tag), NOW(3) - INTERVAL 31 DAY), (CONCAT('new_', @tag), NOW(3) - INTERVAL 29 DAY);
            """, db))
        {
            insert.Parameters.AddWithValue("@tag", tag);
            await insert.ExecuteNonQueryAsync();
        }

        async Task<string> LeftAsync()
        {
            await using var left = new MySqlCommand("""
                SELECT CONCAT((SELECT GROUP_CONCAT(aggregate_id ORDER BY aggregate_id) FROM catalog.outbox WHERE message_type = @tag), '|',
                              (SELECT GROUP_CONCAT(id ORDER BY id) FROM booking.processed_message WHERE id LIKE CONCAT('%', @tag)))
                """, db);
            left.Parameters.AddWithValue("@tag", tag);
            return (string)(await left.ExecuteScalarAsync())!;
        }

        // The pruner runs every 2 s in the tests (hourly by default); what is within its retention stays.
        await Eventually.TrueAsync(async () => await LeftAsync() == $"2|new_{tag}", TimeSpan.FromSeconds(15),
            "the 8-day-old sent row and the 31-day-old id are pruned");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal($"2|new_{tag}", await LeftAsync());
    }

    private async Task<ConnectionMultiplexer> AdminAsync() =>
        await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis") + ",allowAdmin=true");

    /// <summary>The event's and the fan's keys once the rate window and the fan's claims have lapsed.</summary>
    private static async Task<HashSet<string>> SettledKeysAsync(IServer server, long eventId, string fan, TimeSpan window)
    {
        await Task.Delay(window + TimeSpan.FromMilliseconds(500));
        HashSet<string> keys = [];
        await Eventually.TrueAsync(async () =>
        {
            keys = await KeysAsync(server, $"tm:{{{eventId}}}:*");
            return !keys.Contains((string)HoldKeys.ReserveRate(eventId, fan)!) && !await server.Multiplexer.GetDatabase().KeyExistsAsync(HoldKeys.FanEvents(fan));
        }, TimeSpan.FromSeconds(15), "the rate window and the fan's event claim lapse");
        return keys;
    }

    private static async Task<HashSet<string>> KeysAsync(IServer server, string pattern)
    {
        HashSet<string> keys = new(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1_000))
        {
            keys.Add(key!);
        }
        return keys;
    }

    private static async Task<DateTimeOffset?> ExpireTimeAsync(IDatabase db, string key)
    {
        var milliseconds = (long)await db.ExecuteAsync("PEXPIRETIME", key);
        return milliseconds > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
    }

    private static async Task<long> UsedMemoryAsync(IServer server) =>
        long.Parse((await server.InfoAsync("memory")).SelectMany(g => g).Single(p => p.Key == "used_memory").Value);

    private async Task<Dictionary<string, long>> RowCountsAsync()
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        var counts = new Dictionary<string, long>();
        foreach (var table in new[] { "booking", "ticket", "payment", "booking_outbox", "processed_message" })
        {
            await using var count = new MySqlCommand($"SELECT COUNT(*) FROM {table}", db);
            counts[table] = Convert.ToInt64(await count.ExecuteScalarAsync());
        }
        return counts;
    }
}
