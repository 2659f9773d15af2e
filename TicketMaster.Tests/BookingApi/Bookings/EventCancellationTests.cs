using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MySqlConnector;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Bookings;

// The owner cancels an event: every booking is refunded in full in the background, exactly once, even across a
// crash of BookingApi, while the owner watches the progress and nothing is sold.
[Collection(AppHostCollection.Name)]
public sealed class EventCancellationTests(AppHostFixture fixture)
{
    private static async Task<List<JsonElement>> BookEachAsync(BookingSetup sale, string prefix, int bookings)
    {
        var booked = new List<JsonElement>();
        for (var i = 0; i < bookings; i++)
        {
            using var fan = sale.Fan($"{prefix}-{i}");
            var response = await BookingSetup.ConfirmAsync(fan, await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[i]));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            booked.Add(await response.ReadJsonAsync());
        }
        return booked;
    }

    private static async Task CancelEventAsync(BookingSetup sale) =>
        Assert.True((await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { status = "cancelled" })).IsSuccessStatusCode);

    [Fact]
    public async Task Cancelling_an_event_refunds_every_booking_in_full_while_its_owner_watches_and_nothing_is_sold()
    {
        // No refund policy: fans could not cancel themselves, the event's cancellation refunds them all the same.
        var sale = await BookingSetup.CreateAsync(fixture, seats: 6);
        var booked = await BookEachAsync(sale, "cancelled-event-fan", 5);
        using var giver = sale.Fan("cancelled-event-fan-0");
        var given = booked[0].GetProperty("check_in_details").GetProperty("tickets")[0].Id("ticket_id");
        Assert.True((await giver.PostJsonAsync($"/v1/booking/tickets/{given}/transfer", new { to_user_id = "cancelled-event-recipient" })).IsSuccessStatusCode);

        await CancelEventAsync(sale);

        using var owner = sale.Owner();
        JsonElement progress = default;
        await Eventually.TrueAsync(async () =>
        {
            progress = await owner.GetJsonAsync($"/v1/booking/events/{sale.EventId}/cancellation");
            return progress.GetProperty("done").GetBoolean();
        }, TimeSpan.FromSeconds(30), "every booking of the cancelled event refunded");
        Assert.Equal(5, progress.GetProperty("bookings_refunded").GetInt64());
        Assert.Equal(booked.Sum(b => b.GetProperty("total_cents").GetInt64()), progress.GetProperty("refunded_cents").GetInt64());
        foreach (var booking in booked)
        {
            var intent = fixture.Stripe.IntentsOf(booking.GetProperty("reservation_id").GetString()!).Single(i => i.Status == "succeeded").Id;
            Assert.Equal(booking.GetProperty("total_cents").GetInt64(), fixture.Stripe.RefundedOf(intent));
        }
        // Nothing is sold meanwhile, the recipient's ticket is void too, and another organizer learns nothing.
        using var late = sale.Fan("cancelled-event-late");
        await (await BookingSetup.ReserveAsync(late, sale.EventId, sale.SeatIds[5])).AssertProblemAsync(409);
        using var recipient = sale.Fan("cancelled-event-recipient");
        Assert.Empty((await recipient.GetJsonAsync("/v1/booking/tickets")).EnumerateArray());
        using var other = sale.Fan("cancelled-event-other-organizer", Roles.Organizer);
        await (await other.GetAsync($"/v1/booking/events/{sale.EventId}/cancellation")).AssertProblemAsync(404);
        await AssertRefundedOnceAsync(sale.EventId, 5);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Killing_BookingApi_in_the_middle_of_an_events_refunds_still_refunds_every_booking_exactly_once()
    {
        const int bookings = 60;
        var sale = await BookingSetup.CreateAsync(fixture, seats: bookings);
        await BookEachAsync(sale, "crash-refund-fan", bookings);
        fixture.Stripe.RefundDelay = TimeSpan.FromMilliseconds(100);
        try
        {
            await CancelEventAsync(sale);
            // Kill it once some bookings are refunded, with most still to go.
            var clock = Stopwatch.StartNew();
            while (await CancelledBookingsAsync(sale.EventId) == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
            fixture.Kill("bookingapi");
            var atKill = await CancelledBookingsAsync(sale.EventId);
            Assert.InRange(atKill, 1, bookings - 1);
            await fixture.StartAgainAsync("bookingapi");
        }
        finally
        {
            fixture.Stripe.RefundDelay = TimeSpan.Zero;
        }

        using var owner = sale.Owner();
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync($"/v1/booking/events/{sale.EventId}/cancellation")).GetProperty("done").GetBoolean(),
            TimeSpan.FromSeconds(60), "the restarted BookingApi finished the event's refunds");
        await AssertRefundedOnceAsync(sale.EventId, bookings);
        await sale.AssertInvariantsAsync();
    }

    // One refund per booking, each the booking's whole total, every ticket refunded.
    private async Task AssertRefundedOnceAsync(long eventId, int bookings)
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var command = new MySqlCommand("""
            SELECT (SELECT COUNT(*) FROM booking b WHERE b.event_id = @e AND b.status = 'cancelled' AND b.refunded_cents = b.total_cents
                      AND (SELECT COUNT(*) FROM refund r WHERE r.booking_id = b.booking_id) = 1),
                   (SELECT COUNT(*) FROM ticket WHERE event_id = @e AND status = 'valid'),
                   (SELECT COUNT(*) FROM refund WHERE event_id = @e AND reason <> 'event_cancelled')
            """, db);
        command.Parameters.AddWithValue("@e", eventId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((bookings, 0L, 0L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
    }

    private async Task<long> CancelledBookingsAsync(long eventId)
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var command = new MySqlCommand("SELECT COUNT(*) FROM booking WHERE event_id = @e AND status = 'cancelled'", db);
        command.Parameters.AddWithValue("@e", eventId);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
