using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TicketMaster.Onsale;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.WaitingRoom;

[Collection(AppHostCollection.Name)]
public sealed class WaitingRoomTests(AppHostFixture fixture)
{
    private static string Queue(long eventId) => $"/v1/booking/events/{eventId}/queue";

    [Fact]
    public async Task Pre_sale_joiners_are_shuffled_by_the_committed_seed_and_later_joiners_queue_in_arrival_order()
    {
        var onSaleAt = DateTimeOffset.UtcNow.AddSeconds(4);
        var sale = await BookingSetup.CreateAsync(fixture, seats: 20, waitingRoom: true, onSaleAt: onSaleAt);
        await SetRateAsync(sale, 0.001); // nobody is let in while the order is checked
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");

        var early = Enumerable.Range(1, 8).Select(i => $"presale-fan-{i}-{sale.EventId}").ToList();
        var places = new Dictionary<string, string>();
        foreach (var fan in early)
        {
            places[fan] = await JoinAsync(sale, fan);
        }
        var before = await anonymous.GetJsonAsync(Queue(sale.EventId));
        var commitment = before.GetProperty("seed_sha256").GetString()!;
        Assert.Equal(JsonValueKind.Null, before.GetProperty("seed").ValueKind);

        await Task.Delay(onSaleAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));
        var late = Enumerable.Range(1, 3).Select(i => $"late-fan-{i}-{sale.EventId}").ToList();
        foreach (var fan in late)
        {
            places[fan] = await JoinAsync(sale, fan);
        }

        // The revealed seed matches what was committed before the sale, and it alone explains the order.
        var seed = (await anonymous.GetJsonAsync(Queue(sale.EventId))).GetProperty("seed").GetString()!;
        Assert.Equal(commitment, Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(seed))));
        var expected = early.OrderBy(fan => Convert.ToInt64(Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{seed}:{fan}")))[..13], 16))
            .Concat(late).ToList();
        var positions = new Dictionary<string, long>();
        foreach (var (fan, queueId) in places)
        {
            positions[fan] = (await anonymous.GetJsonAsync($"{Queue(sale.EventId)}/{queueId}")).GetProperty("position").GetInt64();
        }
        Assert.Equal(expected, positions.OrderBy(p => p.Value).Select(p => p.Key));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), positions.Values.Order());
        Assert.NotEqual(early, expected.Take(8)); // 8! orders: the join order survives with probability 1/40320
    }

    [Fact]
    public async Task Reserve_requires_the_fans_own_valid_pass_and_a_forged_one_is_refused()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4, waitingRoom: true);
        await SetRateAsync(sale, 100);
        using var fan = sale.Fan("passholder-fan");
        using var other = sale.Fan("passless-fan");
        var queueId = await JoinAsync(sale, "passholder-fan");
        var pass = await PassAsync(sale, queueId);

        await (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0])).AssertProblemAsync(403);
        await (await BookingSetup.ReserveWithPassAsync(other, sale.EventId, pass, sale.SeatIds[0])).AssertProblemAsync(403);
        var parts = pass.Split('.');
        var longer = string.Join('.', parts[..4].Append((long.Parse(parts[4]) + 3_600_000).ToString()).Append(parts[5])); // WR2.key.event.user.expires.sig
        await (await BookingSetup.ReserveWithPassAsync(fan, sale.EventId, longer, sale.SeatIds[0])).AssertProblemAsync(403);
        var otherEvent = pass.Replace($".{sale.EventId}.", ".1.");
        await (await BookingSetup.ReserveWithPassAsync(fan, sale.EventId, otherEvent, sale.SeatIds[0])).AssertProblemAsync(403);

        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveWithPassAsync(fan, sale.EventId, pass, sale.SeatIds[0])).StatusCode);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task The_position_stream_counts_down_and_ends_with_the_pass()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4, waitingRoom: true);
        await SetRateAsync(sale, 0.001);
        foreach (var i in Enumerable.Range(1, 3))
        {
            await JoinAsync(sale, $"ahead-fan-{i}");
        }
        var queueId = await JoinAsync(sale, "streaming-fan");
        // The same place followed twice: on a fresh connection (served on the transport, ended by closing it) and on a
        // connection that carried another request first (the request pipeline, chunked).
        var address = fixture.App.GetEndpoint("bookingapi", "http");
        using var fresh = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        using var used = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        (await used.GetAsync("/alive")).EnsureSuccessStatusCode();
        await using var lean = await SseReader.OpenAsync(fresh, $"{Queue(sale.EventId)}/{queueId}/stream");
        await using var piped = await SseReader.OpenAsync(used, $"{Queue(sale.EventId)}/{queueId}/stream");
        Assert.True(lean.Response.Headers.ConnectionClose);
        Assert.True(piped.Response.Headers.TransferEncodingChunked);
        foreach (var stream in new[] { lean, piped })
        {
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            var first = await stream.NextEventAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(("position", 4), (first.Type, Field(first, "position").GetInt64()));
        }

        await SetRateAsync(sale, 2);
        await Task.WhenAll(new[] { lean, piped }.Select(async stream =>
        {
            var seen = new List<long> { 4 };
            SseEvent next;
            while ((next = await stream.NextEventAsync(TimeSpan.FromSeconds(10))).Type == "position")
            {
                seen.Add(Field(next, "position").GetInt64());
            }
            Assert.Equal("pass", next.Type);
            Assert.StartsWith("WR2.k1.", Field(next, "pass").GetString());
            Assert.True(seen.Count >= 2, $"positions seen: {string.Join(", ", seen)}");
            Assert.Equal(seen.OrderDescending(), seen);
            Assert.Null(await stream.NextAsync()); // the stream ends after the pass
        }));

        // An unknown place on a fresh connection is the pipeline's same problem.
        using var other = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address };
        await using var missing = await SseReader.OpenAsync(other, $"{Queue(sale.EventId)}/q_{sale.EventId}_{new string('0', 32)}/stream");
        Assert.True(missing.Response.Headers.ConnectionClose);
        await missing.Response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task Joining_again_keeps_the_place_and_unknown_places_or_rooms_are_404()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4, waitingRoom: true);
        await SetRateAsync(sale, 0.001);
        using var first = sale.Fan("first-in-line");
        using var returning = sale.Fan("returning-fan");
        await first.PostJsonAsync(Queue(sale.EventId), new { });
        var joined = await returning.PostJsonAsync(Queue(sale.EventId), new { });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        var place = await joined.ReadJsonAsync();
        await first.PostJsonAsync(Queue(sale.EventId), new { });

        var again = await returning.PostJsonAsync(Queue(sale.EventId), new { });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var back = await again.ReadJsonAsync();
        Assert.Equal(place.GetProperty("queue_id").GetString(), back.GetProperty("queue_id").GetString());
        Assert.Equal(2, back.GetProperty("position").GetInt64());

        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await (await anonymous.GetAsync($"{Queue(sale.EventId)}/q_{sale.EventId}_{new string('0', 32)}")).AssertProblemAsync(404);
        var plain = await BookingSetup.CreateAsync(fixture, seats: 1);
        await (await plain.Fan("roomless-fan").PostJsonAsync(Queue(plain.EventId), new { })).AssertProblemAsync(404);
        await (await anonymous.PostAsync(Queue(sale.EventId), null)).AssertProblemAsync(401);
    }

    [Fact]
    public async Task Only_one_replica_holds_the_admission_lease_and_another_takes_over_when_it_lapses()
    {
        // The lease the admission loop (and the invariant check) uses; each Lease object is one replica.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        StackExchange.Redis.RedisKey key = $"test:wr:leader:{Guid.NewGuid():N}";
        var replicas = Enumerable.Range(0, 8).Select(_ => new TicketMaster.BookingApi.Lease(redis, key, TimeSpan.FromMilliseconds(600))).ToArray();

        var firstRound = await Task.WhenAll(replicas.Select(r => r.HoldAsync()));
        Assert.Single(firstRound, won => won);
        var leader = replicas[Array.IndexOf(firstRound, true)];
        var other = replicas[(Array.IndexOf(firstRound, true) + 1) % replicas.Length];
        Assert.True(await leader.HoldAsync()); // the leader renews
        Assert.False(await other.HoldAsync());

        await Task.Delay(900); // the leader stopped renewing (it died)
        Assert.True(await other.HoldAsync());
        Assert.False(await leader.HoldAsync());
    }

    [Fact]
    public async Task The_admission_rate_rises_while_the_booking_path_is_fast_waits_for_seats_and_stops_at_sold_out()
    {
        // Holds (and so the fans counted in flight) last two minutes: nobody drops out of the count while the test runs.
        var sale = await BookingSetup.CreateAsync(fixture, seats: 8, maxTicketsPerUser: 4, waitingRoom: true, holdSeconds: 120);
        using var organizer = sale.Owner();
        await (await organizer.PutJsonAsync($"{Queue(sale.EventId)}/admission", new { min_per_second = 0, max_per_second = 20 })).AssertProblemAsync(400);
        await (await organizer.PutJsonAsync($"{Queue(sale.EventId)}/admission", new { min_per_second = 5, max_per_second = 2 })).AssertProblemAsync(400);
        await (await organizer.PutJsonAsync($"{Queue(sale.EventId)}/admission",
            new { admissions_per_second = 5, max_per_second = 9 })).AssertProblemAsync(400);
        Assert.Equal(HttpStatusCode.NoContent,
            (await organizer.PutJsonAsync($"{Queue(sale.EventId)}/admission", new { min_per_second = 1, max_per_second = 20 })).StatusCode);
        var first = await JoinAsync(sale, "adaptive-first");
        var second = await JoinAsync(sale, "adaptive-second");
        var waiting = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            waiting.Add(await JoinAsync(sale, $"adaptive-{i}"));
        }

        // Rising from the minimum while the path is fast and seats remain, then held at the free seats.
        var decisions = new List<JsonElement>();
        await Eventually.TrueAsync(async () =>
        {
            var decision = await organizer.GetJsonAsync($"{Queue(sale.EventId)}/admission");
            decisions.Add(decision);
            return decision.GetProperty("reason").GetString() == "waiting_for_seats";
        }, TimeSpan.FromSeconds(15), "admission stops at as many fans as free seats");
        var rising = decisions.Where(d => d.GetProperty("reason").GetString() == "rising").Select(d => d.GetProperty("admissions_per_second").GetDouble()).ToList();
        Assert.True(rising.Count >= 2 && rising[^1] > rising[0], $"the rate rose: {string.Join(", ", rising)}");
        Assert.All(rising, rate => Assert.InRange(rate, 1, 20));
        var held = decisions[^1];
        Assert.Equal(0, held.GetProperty("admissions_per_second").GetDouble());
        Assert.Equal(8, held.GetProperty("free_seats").GetInt64());
        var heldInFlight = held.GetProperty("fans_in_flight").GetInt64();
        Assert.True(heldInFlight >= 8);

        // The lease moves (here: another holder takes it for two seconds): whoever admits next goes on from the
        // window the last holder left in Redis, so it lets nobody else in.
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis")))
        {
            await redis.GetDatabase().StringSetAsync("tm:wr:leader", "another-replica", TimeSpan.FromSeconds(2));
        }
        var handedOver = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        JsonElement after = default;
        await Eventually.TrueAsync(async () =>
        {
            after = await organizer.GetJsonAsync($"{Queue(sale.EventId)}/admission");
            return after.GetProperty("decided_at").GetDateTimeOffset() > handedOver + TimeSpan.FromMilliseconds(500);
        }, TimeSpan.FromSeconds(10), "a replica admits again once the lease has moved");
        Assert.Equal(("waiting_for_seats", heldInFlight), (after.GetProperty("reason").GetString(), after.GetProperty("fans_in_flight").GetInt64()));

        // The first two buy every seat: the rate is 0 for sold out, and everyone still waiting learns it. A fan who
        // took seats is no longer in flight: the first one's hold leaves one fan fewer, for the four seats left.
        var seat = 0;
        foreach (var (queueId, fan) in new[] { (first, "adaptive-first"), (second, "adaptive-second") })
        {
            var pass = await PassAsync(sale, queueId);
            using var buyer = sale.Fan(fan);
            // Read just before the hold: the count the hold must take one fan off.
            var inFlight = (await organizer.GetJsonAsync($"{Queue(sale.EventId)}/admission")).GetProperty("fans_in_flight").GetInt64();
            var reservation = await BookingSetup.ReservationIdWithPassAsync(buyer, sale.EventId, pass, [.. sale.SeatIds.Skip(seat).Take(4)]);
            seat += 4;
            if (seat == 4)
            {
                await Eventually.TrueAsync(async () =>
                {
                    var decision = await organizer.GetJsonAsync($"{Queue(sale.EventId)}/admission");
                    return decision.GetProperty("free_seats").GetInt64() == 4 && decision.GetProperty("fans_in_flight").GetInt64() == inFlight - 1;
                }, TimeSpan.FromSeconds(5), "a fan who took seats is no longer in flight");
            }
            Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(buyer, reservation)).StatusCode);
        }
        await Eventually.TrueAsync(async () => (await organizer.GetJsonAsync($"{Queue(sale.EventId)}/admission")).GetProperty("reason").GetString() == "sold_out",
            TimeSpan.FromSeconds(5), "the room stops at sold out");
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await Eventually.TrueAsync(async () =>
            (await anonymous.GetJsonAsync($"{Queue(sale.EventId)}/{waiting[^1]}")).GetProperty("status").GetString() == "sold_out",
            TimeSpan.FromSeconds(3), "the last in line learns the event sold out");
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_fan_whose_pass_lapsed_unused_may_join_again_at_the_back_once_and_a_buyer_may_not()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4, waitingRoom: true);
        await SetRateAsync(sale, 1000);
        var idle = await JoinAsync(sale, "requeue-idle");
        var buyerPlace = await JoinAsync(sale, "requeue-buyer");
        var later = await JoinAsync(sale, "requeue-later");
        await PassAsync(sale, idle);
        var buyerPass = await PassAsync(sale, buyerPlace);
        await PassAsync(sale, later);
        using (var buyer = sale.Fan("requeue-buyer"))
        {
            var reservation = await BookingSetup.ReservationIdWithPassAsync(buyer, sale.EventId, buyerPass, sale.SeatIds[0]);
            Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(buyer, reservation)).StatusCode);
        }
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var passes = TicketMaster.BookingApi.WaitingRoom.WaitingRoomKeys.PassExpiry(sale.EventId);
        async Task LapseAsync(string queueId) =>
            await redis.GetDatabase().HashSetAsync(passes, queueId, DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds());
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        await Eventually.TrueAsync(async () =>
            (await anonymous.GetJsonAsync($"/v1/booking/events/{sale.EventId}/seats")).GetProperty("seats").EnumerateArray()
                .Any(s => s.GetProperty("status").GetString() == "sold"), TimeSpan.FromSeconds(10), "the buyer's seat shows sold");

        // As time would: both passes lapse. The idle fan gets a new place behind everyone; the buyer keeps theirs.
        await LapseAsync(idle);
        await LapseAsync(buyerPlace);
        Assert.Equal("expired", (await anonymous.GetJsonAsync($"{Queue(sale.EventId)}/{idle}")).GetProperty("status").GetString());
        using var idleFan = sale.Fan("requeue-idle");
        var again = await idleFan.PostJsonAsync(Queue(sale.EventId), new { });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var requeued = (await again.ReadJsonAsync()).GetProperty("queue_id").GetString()!;
        Assert.NotEqual(idle, requeued);
        // A new place behind the three (the room's counts are a quarter second old at most).
        await Eventually.TrueAsync(async () => (await anonymous.GetJsonAsync(Queue(sale.EventId))).GetProperty("in_queue").GetInt64() == 4,
            TimeSpan.FromSeconds(3), "four places in the queue");
        Assert.Equal("admitted", (await anonymous.GetJsonAsync($"{Queue(sale.EventId)}/{later}")).GetProperty("status").GetString());
        await PassAsync(sale, requeued);
        using (var buyer = sale.Fan("requeue-buyer"))
        {
            var kept = await buyer.PostJsonAsync(Queue(sale.EventId), new { });
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
            Assert.Equal(buyerPlace, (await kept.ReadJsonAsync()).GetProperty("queue_id").GetString());
        }

        // Once only: lapsed again, the fan keeps that second place.
        await LapseAsync(requeued);
        var twice = await idleFan.PostJsonAsync(Queue(sale.EventId), new { });
        Assert.Equal(HttpStatusCode.OK, twice.StatusCode);
        Assert.Equal(requeued, (await twice.ReadJsonAsync()).GetProperty("queue_id").GetString());
        await sale.AssertInvariantsAsync();
    }

    private async Task SetRateAsync(BookingSetup sale, double perSecond)
    {
        using var organizer = sale.Owner();
        var response = await organizer.PutAsJsonAsync($"{Queue(sale.EventId)}/admission", new { admissions_per_second = perSecond },
            TicketMaster.ServiceDefaults.TicketMasterJson.Options);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task<string> JoinAsync(BookingSetup sale, string userId)
    {
        using var fan = sale.Fan(userId);
        var response = await fan.PostJsonAsync(Queue(sale.EventId), new { });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).GetProperty("queue_id").GetString()!;
    }

    private async Task<string> PassAsync(BookingSetup sale, string queueId)
    {
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var status = await anonymous.GetJsonAsync($"{Queue(sale.EventId)}/{queueId}");
            if (status.GetProperty("status").GetString() == "admitted")
            {
                return status.GetProperty("pass").GetString()!;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("no pass within 10 s");
    }

    private static JsonElement Field(SseEvent message, string property)
    {
        using var document = JsonDocument.Parse(message.Data);
        return document.RootElement.GetProperty(property).Clone();
    }
}
