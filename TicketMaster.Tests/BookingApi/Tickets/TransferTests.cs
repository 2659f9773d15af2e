using System.Net;
using System.Text.Json;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Tickets;

// A ticket's holder gives it to another fan: the recipient sees it among their tickets with a new code, the old code
// stops checking in, and the recipient's per-event limit applies.
[Collection(AppHostCollection.Name)]
public sealed class TransferTests(AppHostFixture fixture)
{
    private static async Task<JsonElement> BookAsync(HttpClient fan, BookingSetup sale, params long[] seatIds)
    {
        var response = await BookingSetup.ConfirmAsync(fan, await BookingSetup.ReservationIdAsync(fan, sale.EventId, seatIds));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static Task<HttpResponseMessage> TransferAsync(HttpClient from, long ticketId, string to) =>
        from.PostJsonAsync($"/v1/booking/tickets/{ticketId}/transfer", new { to_user_id = to });

    private static List<JsonElement> Tickets(JsonElement booking) =>
        booking.GetProperty("check_in_details").GetProperty("tickets").EnumerateArray().ToList();

    [Fact]
    public async Task A_transferred_ticket_is_the_recipients_with_a_new_code_and_the_old_code_admits_no_one()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3, refundableUntil: DateTimeOffset.UtcNow.AddDays(3));
        using var giver = sale.Fan("transfer-giver");
        using var receiver = sale.Fan("transfer-receiver");
        var booking = await BookAsync(giver, sale, sale.SeatIds[0], sale.SeatIds[1]);
        var given = Tickets(booking)[0];
        var oldCode = given.GetProperty("qr_code").GetString()!;

        var moved = await (await TransferAsync(giver, given.Id("ticket_id"), "transfer-receiver")).ReadJsonAsync();
        Assert.Equal("transfer-receiver", moved.GetProperty("to_user_id").GetString());

        var received = (await receiver.GetJsonAsync("/v1/booking/tickets")).EnumerateArray().ToList();
        var ticket = Assert.Single(received);
        Assert.Equal(given.Id("ticket_id"), ticket.Id("ticket_id"));
        Assert.True(ticket.GetProperty("received").GetBoolean());
        Assert.Equal(sale.EventId, ticket.GetProperty("event").Id("event_id"));
        var newCode = ticket.GetProperty("qr_code").GetString()!;
        Assert.StartsWith("TM3.", newCode);
        // The giver keeps the other ticket; the booking shows the given one as transferred, without a code.
        Assert.Equal([Tickets(booking)[1].Id("ticket_id")], (await giver.GetJsonAsync("/v1/booking/tickets")).EnumerateArray().Select(t => t.Id("ticket_id")));
        var shown = Tickets(await giver.GetJsonAsync($"/v1/booking/bookings/{booking.Id("booking_id")}"))
            .Single(t => t.Id("ticket_id") == given.Id("ticket_id"));
        Assert.Equal("transferred", shown.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("qr_code").ValueKind);
        // Neither the giver (it is no longer theirs) nor the recipient (the money is the giver's card's) refunds it.
        var refused = await (await giver.PostJsonAsync($"/v1/booking/bookings/{booking.Id("booking_id")}/cancel",
            new { ticket_ids = new[] { given.Id("ticket_id") } })).AssertProblemAsync(409);
        Assert.Equal("Transferred", refused.GetProperty("title").GetString());

        await sale.AssignStaffAsync("transfer-door");
        using var door = sale.Fan("transfer-door", "staff");
        await (await door.PostJsonAsync("/v1/booking/check-in", new { qr_code = oldCode })).AssertProblemAsync(410);
        Assert.Equal(HttpStatusCode.OK, (await door.PostJsonAsync("/v1/booking/check-in", new { qr_code = newCode })).StatusCode);
        // Checked in, it moves no more.
        await (await TransferAsync(receiver, given.Id("ticket_id"), "transfer-giver")).AssertProblemAsync(409);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task The_recipients_limit_applies_and_refunded_or_someone_elses_tickets_do_not_move()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4, maxTicketsPerUser: 2, refundableUntil: DateTimeOffset.UtcNow.AddDays(3));
        using var giver = sale.Fan("limit-giver");
        using var full = sale.Fan("limit-full");
        var booking = await BookAsync(giver, sale, sale.SeatIds[0], sale.SeatIds[1]);
        await BookAsync(full, sale, sale.SeatIds[2], sale.SeatIds[3]);
        var tickets = Tickets(booking).Select(t => t.Id("ticket_id")).ToList();

        var over = await (await TransferAsync(giver, tickets[0], "limit-full")).AssertProblemAsync(422);
        Assert.Equal(2, over.GetProperty("max_tickets_per_user").GetInt32());
        await (await TransferAsync(giver, tickets[0], "limit-giver")).AssertProblemAsync(422);
        await (await TransferAsync(giver, tickets[0], "")).AssertProblemAsync(400);
        await (await TransferAsync(full, tickets[0], "limit-someone")).AssertProblemAsync(404);

        Assert.Equal(HttpStatusCode.OK, (await giver.PostJsonAsync($"/v1/booking/bookings/{booking.Id("booking_id")}/cancel",
            new { ticket_ids = new[] { tickets[1] } })).StatusCode);
        Assert.Equal("Refunded", (await (await TransferAsync(giver, tickets[1], "limit-someone")).AssertProblemAsync(409)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await TransferAsync(giver, tickets[0], "limit-someone")).StatusCode);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_transfer_racing_check_in_lets_exactly_one_of_them_win_for_each_ticket()
    {
        const int tickets = 6;
        var sale = await BookingSetup.CreateAsync(fixture, seats: tickets);
        await sale.AssignStaffAsync("transfer-race-door");
        using var door = sale.Fan("transfer-race-door", "staff");
        using var giver = sale.Fan("transfer-race-giver");
        var booking = await BookAsync(giver, sale, [.. sale.SeatIds]);

        var races = await Task.WhenAll(Tickets(booking).Select(async (ticket, i) =>
        {
            var transfer = TransferAsync(giver, ticket.Id("ticket_id"), $"transfer-race-recipient-{i}");
            var checkIn = door.PostJsonAsync("/v1/booking/check-in", new { qr_code = ticket.GetProperty("qr_code").GetString() });
            return ((await transfer).StatusCode, (await checkIn).StatusCode);
        }));

        foreach (var (transfer, checkIn) in races)
        {
            // Transferred first: the old code is void (410). Checked in first: the ticket moves no more (409).
            Assert.True((transfer, checkIn) is (HttpStatusCode.OK, HttpStatusCode.Gone) or (HttpStatusCode.Conflict, HttpStatusCode.OK),
                $"transfer {(int)transfer}, check-in {(int)checkIn}");
        }
        await sale.AssertInvariantsAsync();
    }
}
