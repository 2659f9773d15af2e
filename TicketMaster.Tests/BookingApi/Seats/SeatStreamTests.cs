using System.Diagnostics;
using System.Text.Json;
using StackExchange.Redis;
using TicketMaster.Onsale;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Seats;

[Collection(AppHostCollection.Name)]
public sealed class SeatStreamTests(AppHostFixture fixture)
{
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1);

    private static string Path(long eventId) => $"/v1/booking/events/{eventId}/seats/stream";

    [Fact]
    public async Task The_stream_opens_with_a_snapshot_then_sends_held_sold_and_released_within_a_second()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4);
        using var early = sale.Fan("stream-early-fan");
        using var buyer = sale.Fan("stream-buyer");
        var earlyHold = await (await BookingSetup.ReserveAsync(early, sale.EventId, sale.SeatIds[0])).ReadJsonAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // past the seat map's 1 s cache, so the snapshot must show the hold

        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await using var stream = await SseReader.OpenAsync(anonymous, Path(sale.EventId));
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        var snapshot = await stream.NextEventAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("snapshot", snapshot.Type);
        Assert.Equal([sale.SeatIds[0]], Seats(snapshot, "held"));
        Assert.Empty(Seats(snapshot, "sold"));

        var clock = Stopwatch.StartNew();
        var hold = await (await BookingSetup.ReserveAsync(buyer, sale.EventId, sale.SeatIds[1], sale.SeatIds[2])).ReadJsonAsync();
        var held = await stream.NextEventAsync(WithinASecond);
        Assert.Equal("held", held.Type);
        Assert.Equal(new[] { sale.SeatIds[1], sale.SeatIds[2] }.Order(), Seats(held, "seat_ids"));

        await BookingSetup.ConfirmAsync(buyer, hold.GetProperty("reservation_id").GetString()!);
        var sold = await stream.NextEventAsync(WithinASecond);
        Assert.Equal("sold", sold.Type);
        Assert.Equal(new[] { sale.SeatIds[1], sale.SeatIds[2] }.Order(), Seats(sold, "seat_ids"));

        await early.DeleteAsync($"/v1/booking/reservations/{earlyHold.GetProperty("reservation_id").GetString()}");
        var released = await stream.NextEventAsync(WithinASecond);
        Assert.Equal("released", released.Type);
        Assert.Equal([sale.SeatIds[0]], Seats(released, "seat_ids"));

        // Ids grow, so a client can resume from the last one it saw.
        Assert.True(Position(held.Id!).CompareTo(Position(sold.Id!)) < 0 && Position(sold.Id!).CompareTo(Position(released.Id!)) < 0);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_change_between_a_cached_snapshot_and_the_clients_arrival_still_reaches_the_client()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var fan = sale.Fan("stream-gap-fan");
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await anonymous.GetJsonAsync($"/v1/booking/events/{sale.EventId}/seats"); // caches a map without the hold below
        await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[1]);

        await using var stream = await SseReader.OpenAsync(anonymous, Path(sale.EventId));
        var snapshot = await stream.NextEventAsync(TimeSpan.FromSeconds(10));
        var held = Seats(snapshot, "held").Count == 1 ? snapshot : await stream.NextEventAsync(WithinASecond);

        Assert.Contains(sale.SeatIds[1], Seats(held, held.Type == "snapshot" ? "held" : "seat_ids"));
    }

    [Fact]
    public async Task A_lapsed_hold_is_announced_as_expired_within_a_second_or_so_even_among_many_long_lived_keys()
    {
        // Redis' own expiry cycle stops sampling while most keys it meets are far from their TTL, as the day-long
        // reservation records of a big sale are: alone it would announce this hold minutes late. BookingApi touches
        // its holds as they end (DueHoldSweeper), so Redis expires and announces them then.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var db = redis.GetDatabase();
        const int LongLived = 50_000;
        var filler = Enumerable.Range(0, LongLived).Select(i => (RedisKey)$"test:long-lived:{i}").ToArray();
        await Task.WhenAll(filler.Select(key => db.StringSetAsync(key, "1", TimeSpan.FromMinutes(10))));
        try
        {
            var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
            using var fan = sale.Fan("stream-expiring-fan");
            using var anonymous = fixture.App.CreateHttpClient("bookingapi");
            await using var stream = await SseReader.OpenAsync(anonymous, Path(sale.EventId));
            Assert.Equal("snapshot", (await stream.NextEventAsync(TimeSpan.FromSeconds(10))).Type);

            var hold = await (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0])).ReadJsonAsync();
            Assert.Equal("held", (await stream.NextEventAsync(WithinASecond)).Type);
            var expiresAt = hold.GetProperty("expires_at").GetDateTimeOffset();

            var expired = await stream.NextEventAsync(AppHostFixture.HoldTtl + TimeSpan.FromSeconds(5));
            var lateBy = DateTimeOffset.UtcNow - expiresAt;
            Assert.Equal("expired", expired.Type);
            Assert.Equal([sale.SeatIds[0]], Seats(expired, "seat_ids"));
            Assert.True(lateBy < TimeSpan.FromSeconds(2), $"announced {lateBy.TotalMilliseconds:F0} ms after the hold expired");
        }
        finally
        {
            foreach (var chunk in filler.Chunk(1_000))
            {
                await db.KeyDeleteAsync(chunk);
            }
        }
    }

    [Fact]
    public async Task A_client_resuming_with_Last_Event_ID_gets_exactly_the_changes_it_missed()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3);
        using var fan = sale.Fan("stream-resume-fan");
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0]);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // a snapshot newer than the seat map's 1 s cache: it has this hold

        string lastSeen;
        await using (var first = await SseReader.OpenAsync(anonymous, Path(sale.EventId)))
        {
            lastSeen = (await first.NextEventAsync(TimeSpan.FromSeconds(10))).Id!;
        }
        await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[1]);
        await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[2]);

        await using var resumed = await SseReader.OpenAsync(anonymous, Path(sale.EventId), lastEventId: lastSeen);
        var missed1 = await resumed.NextEventAsync(TimeSpan.FromSeconds(10));
        var missed2 = await resumed.NextEventAsync(WithinASecond);
        Assert.Equal(("held", sale.SeatIds[1]), (missed1.Type, Seats(missed1, "seat_ids").Single()));
        Assert.Equal(("held", sale.SeatIds[2]), (missed2.Type, Seats(missed2, "seat_ids").Single()));

        // Something that is not a seat-log id gets a fresh snapshot instead (past the map's cache: all three holds).
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await using var stale = await SseReader.OpenAsync(anonymous, Path(sale.EventId), lastEventId: "not-an-id");
        var snapshot = await stale.NextEventAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("snapshot", snapshot.Type);
        Assert.Equal(3, Seats(snapshot, "held").Count);
    }

    [Fact]
    public async Task An_idle_stream_sends_heartbeats_and_an_unknown_event_is_404()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await using (var stream = await SseReader.OpenAsync(anonymous, Path(sale.EventId)))
        {
            Assert.Equal("snapshot", (await stream.NextEventAsync(TimeSpan.FromSeconds(10))).Type);
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5)); // the fixture's heartbeat is 1 s
            Assert.Equal(":", (await stream.NextAsync(cancel.Token))!.Type);
        }

        await using var missing = await SseReader.OpenAsync(anonymous, Path(987_654_321));
        await missing.Response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task A_stream_on_a_fresh_connection_is_served_in_front_of_the_pipeline_with_the_same_frames_and_problems()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3);
        using var fan = sale.Fan("stream-connection-fan");
        var address = fixture.App.GetEndpoint("bookingapi", "http");
        using var fresh = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        using var used = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        (await used.GetAsync("/alive")).EnsureSuccessStatusCode(); // the stream below then shares this connection

        await using var lean = await SseReader.OpenAsync(fresh, Path(sale.EventId));
        await using var piped = await SseReader.OpenAsync(used, Path(sale.EventId));
        // Ends by closing its connection (served on the transport), against the pipeline's chunked response.
        Assert.True(lean.Response.Headers.ConnectionClose);
        Assert.NotEqual(true, piped.Response.Headers.ConnectionClose);
        Assert.True(piped.Response.Headers.TransferEncodingChunked);
        foreach (var stream in new[] { lean, piped })
        {
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-cache", stream.Response.Headers.CacheControl?.ToString());
            Assert.Equal("snapshot", (await stream.NextEventAsync(TimeSpan.FromSeconds(10))).Type);
        }

        await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0]);
        var held = await lean.NextEventAsync(WithinASecond);
        Assert.Equal(held, await piped.NextEventAsync(WithinASecond));
        Assert.Equal(("held", sale.SeatIds[0]), (held.Type, Seats(held, "seat_ids").Single()));

        // Resuming on a fresh connection: exactly what was missed.
        await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[1]);
        using (var again = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address })
        {
            await using var resumed = await SseReader.OpenAsync(again, Path(sale.EventId), lastEventId: held.Id);
            Assert.True(resumed.Response.Headers.ConnectionClose);
            var missed = await resumed.NextEventAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(("held", sale.SeatIds[1]), (missed.Type, Seats(missed, "seat_ids").Single()));
        }

        // An unknown event is the same problem; a malformed one goes to the pipeline's routing.
        using (var other = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address })
        {
            await using var missing = await SseReader.OpenAsync(other, Path(987_654_321));
            Assert.True(missing.Response.Headers.ConnectionClose);
            await missing.Response.AssertProblemAsync(404);
        }
        using (var other = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address })
        {
            var malformed = await other.GetAsync("/v1/booking/events/99999999999999999999/seats/stream");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, malformed.StatusCode);
        }

        // A client that goes away leaves: with no stream left for the event, the replica drops its subscription.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var channel = $"tm:{{{sale.EventId}}}:seats";
        Assert.True(await Subscribers(redis, channel) >= 1);
        await lean.DisposeAsync();
        fresh.Dispose();
        await piped.DisposeAsync();
        used.Dispose();
        var deadline = Stopwatch.StartNew();
        while (await Subscribers(redis, channel) > 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, await Subscribers(redis, channel));
        await sale.AssertInvariantsAsync();
    }

    private static async Task<long> Subscribers(IConnectionMultiplexer redis, string channel)
    {
        var counts = (RedisResult[])(await redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)counts[1];
    }

    private static (long, long) Position(string id) => (long.Parse(id.Split('-')[0]), long.Parse(id.Split('-')[1]));

    private static List<long> Seats(SseEvent message, string property)
    {
        using var document = JsonDocument.Parse(message.Data);
        return document.RootElement.GetProperty(property).EnumerateArray().Select(s => s.GetInt64()).Order().ToList();
    }
}
