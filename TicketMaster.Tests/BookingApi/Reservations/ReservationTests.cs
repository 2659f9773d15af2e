using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Reservations;

[Collection(AppHostCollection.Name)]
public sealed class ReservationTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Two_hundred_concurrent_reserves_of_one_seat_give_exactly_one_201_and_199_409()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 5);
        var seat = sale.SeatIds[2];
        var fans = Enumerable.Range(0, 200).Select(i => sale.Fan($"race-fan-{i}")).ToList();

        var responses = await Task.WhenAll(fans.Select(fan => BookingSetup.ReserveAsync(fan, sale.EventId, seat)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(199, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var conflict = await responses.First(r => r.StatusCode == HttpStatusCode.Conflict).AssertProblemAsync(409);
        Assert.Equal([seat], conflict.GetProperty("conflicting_seat_ids").EnumerateArray().Select(s => s.GetInt64()));
        fans.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task A_hot_events_owner_sets_its_hold_time_within_bounds_and_its_reserves_hold_that_long()
    {
        var hot = await BookingSetup.CreateAsync(fixture, seats: 40, holdSeconds: 120);
        var plain = await BookingSetup.CreateAsync(fixture, seats: 1, organizer: hot.Catalog);
        using var anonymous = fixture.App.CreateHttpClient("eventsapi");
        Assert.Equal(120, (await anonymous.GetJsonAsync($"/v1/events/{hot.EventId}")).GetProperty("hold_seconds").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await anonymous.GetJsonAsync($"/v1/events/{plain.EventId}")).GetProperty("hold_seconds").ValueKind);

        async Task<TimeSpan> HeldForAsync(BookingSetup sale, long seat)
        {
            using var fan = hot.Fan($"hold-time-fan-{seat}");
            var response = await BookingSetup.ReserveAsync(fan, sale.EventId, seat);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.ReadJsonAsync()).GetProperty("expires_at").GetDateTimeOffset() - DateTimeOffset.UtcNow;
        }
        Assert.InRange(await HeldForAsync(hot, hot.SeatIds[0]), TimeSpan.FromSeconds(110), TimeSpan.FromSeconds(121));
        // Without one, the sale's own (the tests run with seconds).
        Assert.InRange(await HeldForAsync(plain, plain.SeatIds[0]), TimeSpan.Zero, AppHostFixture.HoldTtl);

        // Changed by the owner, it holds the next reserves that long once the sale has heard (within a second).
        foreach (var refused in new[] { 119, 601, 0 })
        {
            await (await hot.Catalog.Http.PatchJsonAsync($"/v1/events/{hot.EventId}", new { hold_seconds = refused })).AssertProblemAsync(400);
        }
        Assert.True((await hot.Catalog.Http.PatchJsonAsync($"/v1/events/{hot.EventId}", new { hold_seconds = 300 })).IsSuccessStatusCode);
        var seat = 1;
        await Eventually.TrueAsync(async () => await HeldForAsync(hot, hot.SeatIds[seat++]) > TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(8),
            "a reserve holds for the new time");
        await hot.AssertInvariantsAsync();
    }

    // Concurrent reserves share one script call (HoldStore's batches): the per-fan limit must still count the
    // holds made earlier in the same call.
    [Fact]
    public async Task Concurrent_reserves_of_one_fan_never_hold_more_than_the_ticket_limit()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 12, maxTicketsPerUser: 4);
        using var fan = sale.Fan("greedy-fan");

        var responses = await Task.WhenAll(sale.SeatIds.Select(seat => BookingSetup.ReserveAsync(fan, sale.EventId, seat)));

        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(8, responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity));
        var granted = new List<long>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Created))
        {
            granted.Add((await response.ReadJsonAsync()).GetProperty("seat_ids")[0].GetInt64());
        }
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var holders = await redis.GetDatabase().StringGetAsync([.. sale.SeatIds.Select(s => TicketMaster.BookingApi.Reservations.HoldKeys.Hold(sale.EventId, s))]);
        Assert.Equal(granted.Order(), sale.SeatIds.Where((_, i) => holders[i].HasValue).Order());
    }

    [Fact]
    public async Task Concurrent_reserves_of_different_events_each_hold_their_own_seats()
    {
        var first = await BookingSetup.CreateAsync(fixture, seats: 20);
        var second = await BookingSetup.CreateAsync(fixture, seats: 20);
        var requests = Enumerable.Range(0, 20).SelectMany(i => new[] { (Sale: first, Seat: first.SeatIds[i]), (Sale: second, Seat: second.SeatIds[i]) })
            .Select((r, i) => (r.Sale, r.Seat, Fan: r.Sale.Fan($"two-events-fan-{i}"))).ToList();

        var responses = await Task.WhenAll(requests.Select(r => BookingSetup.ReserveAsync(r.Fan, r.Sale.EventId, r.Seat)));

        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        foreach (var (request, response) in requests.Zip(responses))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var body = await response.ReadJsonAsync();
            Assert.Equal(request.Sale.EventId, body.GetProperty("event_id").GetInt64());
            // The seat's hold names this very reservation: each result went back to the reserve it belongs to.
            Assert.Equal(body.GetProperty("reservation_id").GetString(),
                (string?)await redis.GetDatabase().StringGetAsync(TicketMaster.BookingApi.Reservations.HoldKeys.Hold(request.Sale.EventId, request.Seat)));
            request.Fan.Dispose();
        }
    }

    [Fact]
    public async Task A_reserved_event_is_noted_for_the_invariant_check_that_one_replica_holds_the_lease_for()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3);
        using var fan = sale.Fan("watched-fan");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var db = redis.GetDatabase();
        Assert.Null(await db.SortedSetScoreAsync(TicketMaster.BookingApi.Invariants.InvariantMonitor.WatchedKey, sale.EventId));

        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0])).StatusCode);

        // Noted in Redis (fire and forget, so give it a moment) with the time of the reserve, for whichever replica
        // holds the lease to check; the fixture's one BookingApi takes the lease at its first interval (10 s).
        double? noted = null;
        var leased = false;
        await Eventually.TrueAsync(async () =>
        {
            noted = await db.SortedSetScoreAsync(TicketMaster.BookingApi.Invariants.InvariantMonitor.WatchedKey, sale.EventId);
            leased = await db.KeyExistsAsync(TicketMaster.BookingApi.Invariants.InvariantMonitor.LeaderKey);
            return noted is not null && leased;
        }, TimeSpan.FromSeconds(15), "the event is noted in Redis and a replica holds the invariant check's lease");
        Assert.NotNull(noted);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - noted.Value, 0, 60_000);
        Assert.True(leased, "a BookingApi replica holds the invariant check's lease");
    }

    [Fact]
    public async Task Overlapping_multi_seat_reserves_are_all_or_nothing()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 60);
        for (var pair = 0; pair < 20; pair++)
        {
            var (a, b, c) = (sale.SeatIds[pair * 3], sale.SeatIds[pair * 3 + 1], sale.SeatIds[pair * 3 + 2]);
            using var first = sale.Fan($"overlap-a-{pair}");
            using var second = sale.Fan($"overlap-b-{pair}");

            var results = await Task.WhenAll(BookingSetup.ReserveAsync(first, sale.EventId, a, b), BookingSetup.ReserveAsync(second, sale.EventId, b, c));

            Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.Created));
            Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.Conflict));
            // The loser holds nothing: its seat that nobody else wanted is still free.
            var loserOnlySeat = results[0].StatusCode == HttpStatusCode.Created ? c : a;
            using var third = sale.Fan($"overlap-c-{pair}");
            Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(third, sale.EventId, loserOnlySeat)).StatusCode);
        }
    }

    [Fact]
    public async Task Reserve_validates_and_answers_404_422_for_unknown_events_seats_and_the_ticket_limit()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 5, maxTicketsPerUser: 2);
        using var fan = sale.Fan("limited-fan");
        using var anonymous = fixture.App.CreateHttpClient("bookingapi");

        await (await BookingSetup.ReserveAsync(anonymous, sale.EventId, sale.SeatIds[0])).AssertProblemAsync(401);
        await (await fan.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId })).AssertProblemAsync(400);
        await (await BookingSetup.ReserveAsync(fan, 1, sale.SeatIds[0])).AssertProblemAsync(404);
        await (await BookingSetup.ReserveAsync(fan, sale.EventId, 12345)).AssertProblemAsync(422);

        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0], sale.SeatIds[1])).StatusCode);
        var over = await (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[2])).AssertProblemAsync(422);
        Assert.Equal(2, over.GetProperty("max_tickets_per_user").GetInt32());
    }

    // The fan's holds outlive a lapsed one while a later hold keeps them alive: the lapsed one must not count, and is trimmed.
    [Fact]
    public async Task A_lapsed_hold_no_longer_counts_against_the_ticket_limit()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3, maxTicketsPerUser: 2);
        using var fan = sale.Fan("lapsing-fan");
        var third = AppHostFixture.HoldTtl / 2;

        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[0])).StatusCode);
        await Task.Delay(third);
        var second = await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[1]);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        // The first hold has lapsed, the second is still live: one of two tickets in use.
        await Task.Delay(AppHostFixture.HoldTtl - third + TimeSpan.FromSeconds(1));
        var latest = await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[2]);

        Assert.Equal(HttpStatusCode.Created, latest.StatusCode);
        var live = new List<string>();
        foreach (var response in new[] { second, latest })
        {
            live.Add($"{(await response.ReadJsonAsync()).GetProperty("reservation_id").GetString()}|1");
        }
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var entries = await redis.GetDatabase().SortedSetRangeByRankAsync(TicketMaster.BookingApi.Reservations.HoldKeys.UserHolds(sale.EventId, "lapsing-fan"));
        Assert.Equal(live.Order(), entries.Select(e => (string)e!).Order());
    }

    [Fact]
    public async Task The_seeds_single_seat_form_and_the_Idempotency_Key_give_the_same_reservation()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3);
        using var fan = sale.Fan("idempotent-fan");

        async Task<HttpResponseMessage> Reserve()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/booking/reserve")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { event_id = sale.EventId, seat_id = sale.SeatIds[1] }),
            };
            request.Headers.Add("Idempotency-Key", "reserve-once");
            return await fan.SendAsync(request);
        }

        var first = await (await Reserve()).ReadJsonAsync();
        var retried = await Reserve();

        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(first.GetProperty("reservation_id").GetString(), (await retried.ReadJsonAsync()).GetProperty("reservation_id").GetString());
        Assert.Equal([sale.SeatIds[1]], first.GetProperty("seat_ids").EnumerateArray().Select(s => s.GetInt64()));
    }

    [Fact]
    public async Task An_expired_hold_frees_the_seat_announces_it_and_its_owners_confirm_is_410()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var early = sale.Fan("early-fan");
        using var late = sale.Fan("late-fan");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var events = new List<JsonElement>();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal($"tm:{{{sale.EventId}}}:seats"),
            (_, message) => { lock (events) { events.Add(JsonDocument.Parse((string)message!).RootElement.Clone()); } });

        var reservation = await (await BookingSetup.ReserveAsync(early, sale.EventId, sale.SeatIds[0])).ReadJsonAsync();
        await Task.Delay(AppHostFixture.HoldTtl + TimeSpan.FromSeconds(2));

        await (await BookingSetup.ConfirmAsync(early, reservation.GetProperty("reservation_id").GetString()!)).AssertProblemAsync(410);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(late, sale.EventId, sale.SeatIds[0])).StatusCode);
        lock (events)
        {
            Assert.Contains(events, e => e.GetProperty("type").GetString() == "held");
        }
        // Redis reports an expiry when it removes the key (its sampling, or the next access to it: the late reserve's
        // at the latest), and the listener announces it right after: give that a moment.
        await Eventually.TrueAsync(() =>
        {
            lock (events)
            {
                return Task.FromResult(events.Any(e => e.GetProperty("type").GetString() == "expired" && e.GetProperty("seat_ids")[0].GetInt64() == sale.SeatIds[0]));
            }
        }, TimeSpan.FromSeconds(5), "the expiry is announced");
    }

    [Fact]
    public async Task Releasing_a_reservation_frees_its_seats_and_only_its_owner_may()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var owner = sale.Fan("releasing-fan");
        using var stranger = sale.Fan("stranger-fan");
        var reservationId = (await (await BookingSetup.ReserveAsync(owner, sale.EventId, sale.SeatIds[0], sale.SeatIds[1])).ReadJsonAsync())
            .GetProperty("reservation_id").GetString();

        await (await stranger.DeleteAsync($"/v1/booking/reservations/{reservationId}")).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/v1/booking/reservations/{reservationId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(stranger, sale.EventId, sale.SeatIds[0], sale.SeatIds[1])).StatusCode);
    }
}
