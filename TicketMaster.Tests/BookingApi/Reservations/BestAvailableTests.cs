using System.Net;
using System.Text.Json;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Reservations;

[Collection(AppHostCollection.Name)]
public sealed class BestAvailableTests(AppHostFixture fixture)
{
    private sealed record HeldSeat(long SeatId, string Section, string Row, int Number);

    private static async Task<List<HeldSeat>> SeatsOfAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return SeatsOf(await response.ReadJsonAsync());
    }

    private static List<HeldSeat> SeatsOf(JsonElement reservation) =>
        reservation.GetProperty("seats").EnumerateArray().Select(s => new HeldSeat(s.Id("seat_id"), s.GetProperty("section").GetString()!,
            s.GetProperty("row").GetString()!, s.GetProperty("number").GetInt32())).ToList();

    private static void AssertSideBySide(IReadOnlyList<HeldSeat> seats, int quantity)
    {
        Assert.Equal(quantity, seats.Count);
        Assert.Single(seats.Select(s => (s.Section, s.Row)).Distinct());
        var numbers = seats.Select(s => s.Number).Order().ToList();
        Assert.Equal(Enumerable.Range(numbers[0], quantity), numbers);
    }

    [Fact]
    public async Task Best_available_holds_the_front_rows_centre_of_the_dearest_section_leaves_no_lone_seat_and_says_what_is_left()
    {
        // Prices by the venue's order of sections: Balcony 25.00, Stalls 35.00 — the dearer section is the better one.
        var sale = await BookingSetup.CreateAsync(fixture, seats: 0, holdSeconds: 120, maxTicketsPerUser: 10,
            sections: [("Balcony", 2, 9), ("Stalls", 3, 9)]);
        using var fan = sale.Fan("best-fan-1");
        using var other = sale.Fan("best-fan-2");

        var centre = await SeatsOfAsync(await BookingSetup.ReserveBestAsync(fan, sale.EventId, 3));
        Assert.Equal([("Stalls", "R1", 4), ("Stalls", "R1", 5), ("Stalls", "R1", 6)], centre.Select(s => (s.Section, s.Row, s.Number)));

        // Row 1 has 1-3 and 7-9 free: any pair there leaves one seat alone, so the pair goes to row 2's centre.
        var pair = await SeatsOfAsync(await BookingSetup.ReserveBestAsync(other, sale.EventId, 2));
        Assert.Equal([("Stalls", "R2", 4), ("Stalls", "R2", 5)], pair.Select(s => (s.Section, s.Row, s.Number)));
        // A trio fits row 1's ends exactly (the nearer to the centre first, numbers 1-3 and 7-9 tie: the left one).
        var trio = await SeatsOfAsync(await BookingSetup.ReserveBestAsync(other, sale.EventId, 3));
        Assert.Equal([("Stalls", "R1", 1), ("Stalls", "R1", 2), ("Stalls", "R1", 3)], trio.Select(s => (s.Section, s.Row, s.Number)));

        // A seat picked by hand is never offered: with row 2's 6 taken, no pair is 5-6.
        var seatMap = await fixture.App.CreateHttpClient("bookingapi").GetJsonAsync($"/v1/booking/events/{sale.EventId}/seats");
        var stallsRow2Seat6 = seatMap.GetProperty("seats").EnumerateArray().Single(s =>
            s.GetProperty("section").GetString() == "Stalls" && s.GetProperty("row").GetString() == "R2" && s.GetProperty("number").GetInt32() == 6);
        using var picker = sale.Fan("best-picker");
        await BookingSetup.ReservationIdAsync(picker, sale.EventId, stallsRow2Seat6.Id("seat_id"));
        var afterPick = await SeatsOfAsync(await BookingSetup.ReserveBestAsync(picker, sale.EventId, 2));
        AssertSideBySide(afterPick, 2);
        Assert.DoesNotContain(afterPick, s => s.Row == "R2" && s.Number is 5 or 6);

        // Within a section, or a price.
        var balconyId = sale.Venue.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Balcony").Id("section_id");
        using var thrifty = sale.Fan("best-thrifty");
        var balcony = await SeatsOfAsync(await BookingSetup.ReserveBestAsync(thrifty, sale.EventId, 3, sectionId: balconyId));
        Assert.Equal([("Balcony", "R1", 4), ("Balcony", "R1", 5), ("Balcony", "R1", 6)], balcony.Select(s => (s.Section, s.Row, s.Number)));
        var cheap = await SeatsOfAsync(await BookingSetup.ReserveBestAsync(thrifty, sale.EventId, 2, maxPriceCents: 3000));
        Assert.All(cheap, s => Assert.Equal("Balcony", s.Section));

        // Released seats are offered again at once.
        var released = await BookingSetup.ReserveBestAsync(fan, sale.EventId, 1);
        Assert.Equal(HttpStatusCode.Created, released.StatusCode);
        var releasedId = (await released.ReadJsonAsync()).GetProperty("reservation_id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await fan.DeleteAsync($"/v1/booking/reservations/{releasedId}")).StatusCode);

        // Ten side by side do not exist in rows of nine: 409 with what is left; nothing was held.
        using var group = sale.Fan("best-group");
        var tooMany = await (await BookingSetup.ReserveBestAsync(group, sale.EventId, 10)).AssertProblemAsync(409);
        var left = tooMany.GetProperty("seats_left").GetInt32();
        Assert.Equal(45 - 3 - 2 - 3 - 1 - 2 - 3 - 2, left);
        // It says the most there are side by side, and that many are held at once.
        var largest = tooMany.GetProperty("largest_block").GetInt32();
        Assert.InRange(largest, 2, 9);
        AssertSideBySide(await SeatsOfAsync(await BookingSetup.ReserveBestAsync(group, sale.EventId, largest)), largest);
        using var probe = sale.Fan("best-probe");
        var fewer = await (await BookingSetup.ReserveBestAsync(probe, sale.EventId, 9)).AssertProblemAsync(409);
        Assert.True(fewer.GetProperty("largest_block").GetInt32() <= largest, fewer.GetRawText());
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveBestAsync(group, sale.EventId, 1)).StatusCode);

        // Asked badly: 400 or 422, never a hold.
        await (await group.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId, quantity = 0 })).AssertProblemAsync(400);
        await (await group.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId, quantity = 11 })).AssertProblemAsync(400);
        await (await group.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId, quantity = 2, seat_ids = new[] { sale.SeatIds[0] } }))
            .AssertProblemAsync(400);
        await (await group.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId, seat_ids = new[] { sale.SeatIds[0] }, section_id = balconyId }))
            .AssertProblemAsync(400);
        await (await group.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId, quantity = 2, max_price_cents = -1 })).AssertProblemAsync(400);
        await (await BookingSetup.ReserveBestAsync(group, sale.EventId, 2, sectionId: 12345)).AssertProblemAsync(422);
        var none = await (await BookingSetup.ReserveBestAsync(group, sale.EventId, 1, maxPriceCents: 100)).AssertProblemAsync(409);
        Assert.Equal(0, none.GetProperty("seats_left").GetInt32());
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task The_owner_ranks_sections_for_best_available_and_only_their_venues_sections()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 0, sections: [("Balcony", 1, 4), ("Stalls", 1, 4), ("Boxes", 1, 4)]);
        long Section(string name) => sale.Venue.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name).Id("section_id");
        using var fan = sale.Fan("best-ranked-fan");
        // Unranked, the dearest first: Boxes (45.00), then Stalls, then Balcony.
        Assert.Equal("Boxes", (await SeatsOfAsync(await BookingSetup.ReserveBestAsync(fan, sale.EventId, 1)))[0].Section);

        // Balcony first, then Stalls; Boxes (left out) after them.
        var patch = await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { section_order = new[] { Section("Balcony"), Section("Stalls") } });
        Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
        Assert.Equal([Section("Balcony"), Section("Stalls")],
            (await patch.ReadJsonAsync()).GetProperty("section_order").EnumerateArray().Select(s => s.GetInt64()));
        await Eventually.TrueAsync(async () =>
        {
            using var next = sale.Fan($"best-ranked-{Guid.NewGuid():N}");
            var seats = await SeatsOfAsync(await BookingSetup.ReserveBestAsync(next, sale.EventId, 1));
            return seats[0].Section == "Balcony";
        }, TimeSpan.FromSeconds(8), "the sale follows the owner's order");

        // Another venue's section, a repeat, a non-id: 400; an empty order goes back to dearest first.
        var other = await BookingSetup.CreateAsync(fixture, seats: 1);
        var foreign = other.Venue.GetProperty("sections")[0].Id("section_id");
        await (await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { section_order = new[] { foreign } })).AssertProblemAsync(400);
        await (await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { section_order = new[] { Section("Stalls"), Section("Stalls") } }))
            .AssertProblemAsync(400);
        await (await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { section_order = new[] { -1 } })).AssertProblemAsync(400);
        var cleared = await (await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { section_order = Array.Empty<long>() })).ReadJsonAsync();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("section_order").ValueKind);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Seats_whose_best_available_hold_lapsed_or_was_bought_are_offered_again_or_never()
    {
        // The tests' own hold time (seconds): the holds lapse while the test waits.
        var sale = await BookingSetup.CreateAsync(fixture, seats: 0, sections: [("Floor", 2, 4)]);
        using var fan = sale.Fan("best-lapse-fan");
        using var buyer = sale.Fan("best-lapse-buyer");
        var first = await BookingSetup.ReserveBestAsync(fan, sale.EventId, 4);
        var lapsing = await SeatsOfAsync(first);
        var bought = await BookingSetup.ReserveBestAsync(buyer, sale.EventId, 4);
        var boughtId = (await bought.ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(buyer, boughtId)).StatusCode);
        var full = await (await BookingSetup.ReserveBestAsync(fan, sale.EventId, 1)).AssertProblemAsync(409);
        Assert.Equal(0, full.GetProperty("seats_left").GetInt32());

        // Once the first hold has lapsed its seats are the best again; the bought ones never.
        using var late = sale.Fan("best-lapse-late");
        List<HeldSeat>? again = null;
        await Eventually.TrueAsync(async () =>
        {
            var response = await BookingSetup.ReserveBestAsync(late, sale.EventId, 4);
            again = response.StatusCode == HttpStatusCode.Created ? SeatsOf(await response.ReadJsonAsync()) : null;
            return again is not null;
        }, AppHostFixture.HoldTtl * 4, "the lapsed seats are offered again");
        Assert.Equal(lapsing.Select(s => s.SeatId).Order(), again!.Select(s => s.SeatId).Order());
        await (await BookingSetup.ReserveBestAsync(fan, sale.EventId, 1)).AssertProblemAsync(409);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Fans_who_find_every_seat_held_wait_their_turn_for_returned_seats_and_hear_at_once_when_the_event_sells_out()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 0, holdSeconds: 120, maxTicketsPerUser: 10, sections: [("Floor", 1, 4)]);
        using var first = sale.Fan("returns-holder-1");
        using var second = sale.Fan("returns-holder-2");
        var firstId = (await (await BookingSetup.ReserveBestAsync(first, sale.EventId, 2)).ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
        var secondId = (await (await BookingSetup.ReserveBestAsync(second, sale.EventId, 2)).ReadJsonAsync()).GetProperty("reservation_id").GetString()!;

        // Five fans ask for one seat each, in turn, while every seat is held: their requests wait rather than hear 409.
        var waiters = Enumerable.Range(1, 5).Select(i => sale.Fan($"returns-waiter-{i}")).ToList();
        var answers = new List<Task<HttpResponseMessage>>();
        foreach (var waiter in waiters)
        {
            answers.Add(BookingSetup.ReserveBestAsync(waiter, sale.EventId, 1, waitSeconds: 25));
            await Task.Delay(300); // the order they asked in
        }
        await Task.Delay(500);
        Assert.All(answers, a => Assert.False(a.IsCompleted, "a request that found every seat held waits"));

        // Two seats come back: the first two in line get one each, at once; the others keep waiting.
        Assert.Equal(HttpStatusCode.NoContent, (await first.DeleteAsync($"/v1/booking/reservations/{firstId}")).StatusCode);
        var served = await Task.WhenAll(answers.Take(2)).WaitAsync(TimeSpan.FromSeconds(5));
        foreach (var response in served)
        {
            Assert.Single(await SeatsOfAsync(response));
            Assert.StartsWith("returns;dur=", response.Headers.GetValues("Server-Timing").Single());
        }
        await Task.Delay(ReturnsTicks(3));
        Assert.All(answers.Skip(2), a => Assert.False(a.IsCompleted, "the rest keep their place"));

        // Everything is bought: the three still waiting hear "sold out" within a tick or two, not at the end of their wait.
        var boughtAt = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(second, secondId)).StatusCode);
        foreach (var (response, i) in served.Select((r, i) => (r, i)))
        {
            var id = (await response.ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
            Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(waiters[i], id)).StatusCode);
        }
        foreach (var answer in answers.Skip(2))
        {
            var soldOut = await (await answer.WaitAsync(TimeSpan.FromSeconds(10))).AssertProblemAsync(409);
            Assert.True(soldOut.GetProperty("sold_out").GetBoolean(), soldOut.GetRawText());
        }
        Assert.True(boughtAt.Elapsed < TimeSpan.FromSeconds(10), $"sold out heard after {boughtAt.Elapsed}");
        foreach (var waiter in waiters)
        {
            waiter.Dispose();
        }

        // Asked badly: 400, never a wait.
        await (await BookingSetup.ReserveBestAsync(first, sale.EventId, 1, waitSeconds: 31)).AssertProblemAsync(400);
        await (await BookingSetup.ReserveBestAsync(first, sale.EventId, 1, waitSeconds: -1)).AssertProblemAsync(400);
        await (await first.PostJsonAsync("/v1/booking/reserve", new { event_id = sale.EventId, seat_ids = new[] { sale.SeatIds[0] }, wait_seconds = 5 }))
            .AssertProblemAsync(400);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_waiting_reserve_ends_with_the_last_answer_when_its_wait_is_over_and_does_not_count_against_the_fans_rate()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 0, holdSeconds: 120, sections: [("Floor", 1, 2)]);
        using var holder = sale.Fan("returns-lone-holder");
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveBestAsync(holder, sale.EventId, 2)).StatusCode);
        using var waiter = sale.Fan("returns-lone-waiter");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var ended = await (await BookingSetup.ReserveBestAsync(waiter, sale.EventId, 1, waitSeconds: 2)).AssertProblemAsync(409);
        // Asked again every tick for two seconds (ten asks), yet its rate counted one reserve: it may reserve again at once.
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(6));
        Assert.Equal(0, ended.GetProperty("seats_left").GetInt32());
        Assert.False(ended.GetProperty("sold_out").GetBoolean());
        for (var i = 0; i < 3; i++)
        {
            await (await BookingSetup.ReserveBestAsync(waiter, sale.EventId, 1, waitSeconds: 2)).AssertProblemAsync(409);
        }
        await sale.AssertInvariantsAsync();
    }

    private static TimeSpan ReturnsTicks(int ticks) => TicketMaster.BookingApi.Reservations.ReturnsWaitlist.Tick * ticks;

    [Fact]
    public async Task Holds_lapsing_under_a_stream_of_best_available_requests_leave_every_seat_free_again_once_they_have_all_lapsed()
    {
        // Each lapse is cleared from the index by whichever request comes next, often within the millisecond the hold
        // key ends; a seat the index went on counting as taken would never be offered again.
        var sale = await BookingSetup.CreateAsync(fixture, seats: 0, maxTicketsPerUser: 10, sections: [("Floor", 1, 10)]);
        var churnUntil = DateTimeOffset.UtcNow + AppHostFixture.HoldTtl * 3;
        var fans = 0;
        var holds = 0;
        await Task.WhenAll(Enumerable.Range(0, 24).Select(async _ =>
        {
            while (DateTimeOffset.UtcNow < churnUntil)
            {
                using var fan = sale.Fan($"best-churn-{Interlocked.Increment(ref fans)}");
                var response = await BookingSetup.ReserveBestAsync(fan, sale.EventId, 1 + fans % 2);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref holds);
                }
                else
                {
                    await response.AssertProblemAsync(409);
                }
            }
        }));
        Assert.True(holds > 10, $"only {holds} holds were made");

        await Task.Delay(AppHostFixture.HoldTtl + TimeSpan.FromSeconds(1));
        using var group = sale.Fan("best-churn-group");
        AssertSideBySide(await SeatsOfAsync(await BookingSetup.ReserveBestAsync(group, sale.EventId, 10)), 10);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_thousand_concurrent_best_available_requests_and_picks_on_2000_seats_hold_no_seat_twice_each_side_by_side_and_sell_out()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 0, holdSeconds: 120, maxTicketsPerUser: 10,
            sections: [("North", 20, 25), ("East", 20, 25), ("South", 20, 25), ("West", 20, 25)]);
        Assert.Equal(2_000, sale.SeatIds.Count);
        var random = new Random(18);
        var quantities = Enumerable.Range(0, 1_000).Select(_ => random.Next(1, 7)).ToList();
        // Some fans pick their seat by hand at the same time: the index must see their holds too.
        var picks = Enumerable.Range(0, 100).Select(_ => sale.SeatIds[random.Next(sale.SeatIds.Count)]).ToList();
        var fans = Enumerable.Range(0, 1_100).Select(i => sale.Fan($"best-race-{i}")).ToList();

        var best = quantities.Select((quantity, i) => BookingSetup.ReserveBestAsync(fans[i], sale.EventId, quantity));
        var picked = picks.Select((seat, i) => BookingSetup.ReserveAsync(fans[1_000 + i], sale.EventId, seat));
        var responses = await Task.WhenAll(best.Concat(picked));

        var holds = new List<(HttpClient Fan, string ReservationId, List<HeldSeat> Seats)>();
        for (var i = 0; i < responses.Length; i++)
        {
            if (responses[i].StatusCode == HttpStatusCode.Created)
            {
                var body = await responses[i].ReadJsonAsync();
                var seats = SeatsOf(body);
                if (i < 1_000)
                {
                    AssertSideBySide(seats, quantities[i]);
                }
                holds.Add((fans[i], body.GetProperty("reservation_id").GetString()!, seats));
            }
            else
            {
                var problem = await responses[i].AssertProblemAsync(409);
                if (i < 1_000)
                {
                    Assert.True(problem.TryGetProperty("seats_left", out _), problem.GetRawText());
                }
            }
        }
        var held = holds.SelectMany(h => h.Seats.Select(s => s.SeatId)).ToList();
        Assert.Equal(held.Count, held.Distinct().Count());

        // What is left goes seat by seat, until best available says none is.
        var fillers = new List<(string Fan, string ReservationId)>();
        for (var i = 0; ; i++)
        {
            using var filler = sale.Fan($"best-race-filler-{i}");
            var response = await BookingSetup.ReserveBestAsync(filler, sale.EventId, 1);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Assert.Equal(0, (await response.AssertProblemAsync(409)).GetProperty("seats_left").GetInt32());
                break;
            }
            var body = await response.ReadJsonAsync();
            held.AddRange(SeatsOf(body).Select(s => s.SeatId));
            fillers.Add(($"best-race-filler-{i}", body.GetProperty("reservation_id").GetString()!));
            Assert.True(i < 2_000, "best available ends");
        }
        Assert.Equal(2_000, held.Count);
        Assert.Equal(2_000, held.Distinct().Count());

        // The concurrent holds are bought; the event is sold out of them and the fillers' holds.
        var confirms = await Task.WhenAll(holds.Select(h => BookingSetup.ConfirmAsync(h.Fan, h.ReservationId)));
        Assert.All(confirms, c => Assert.Equal(HttpStatusCode.Created, c.StatusCode));
        var map = await fixture.App.CreateHttpClient("bookingapi").GetJsonAsync($"/v1/booking/events/{sale.EventId}/seats");
        Assert.DoesNotContain(map.GetProperty("seats").EnumerateArray(), s => s.GetProperty("status").GetString() == "available");
        fans.ForEach(f => f.Dispose());

        // The fillers let their seats go (thousands of keys left to lapse would slow Redis' expiry of everyone's holds).
        foreach (var (fan, reservationId) in fillers)
        {
            using var filler = sale.Fan(fan);
            Assert.Equal(HttpStatusCode.NoContent, (await filler.DeleteAsync($"/v1/booking/reservations/{reservationId}")).StatusCode);
        }
        await sale.AssertInvariantsAsync();
    }
}
