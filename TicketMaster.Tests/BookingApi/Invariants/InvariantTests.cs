using System.Net;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Invariants;

[Collection(AppHostCollection.Name)]
public sealed class InvariantTests(AppHostFixture fixture)
{
    // Every other test asserts the check reports 0; this one shows it can report something else. The gauge's check
    // reads exactly these holds (the sold seats'), so it would see the same violation.
    [Fact]
    public async Task The_invariant_check_reports_a_sold_seat_that_another_fan_holds()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var buyer = sale.Fan("invariant-buyer");
        using var organizer = sale.Owner();
        var reservationId = await BookingSetup.ReservationIdAsync(buyer, sale.EventId, sale.SeatIds[0]);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(buyer, reservationId)).StatusCode);
        var path = $"/v1/booking/admin/events/{sale.EventId}/invariants";
        Assert.Equal(0, (await organizer.GetJsonAsync(path)).GetProperty("violations").GetInt32());

        // What a bug in the sold-set mirror could leave behind: another fan's live hold on the sold seat.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis"));
        var db = redis.GetDatabase();
        var intruder = $"r_{sale.EventId}_{new string('0', 24)}";
        var hold = HoldKeys.Hold(sale.EventId, sale.SeatIds[0]);
        var reservation = HoldKeys.Reservation(sale.EventId, intruder);
        await db.StringSetAsync(reservation,
            new Reservation(intruder, sale.EventId, "invariant-intruder", [sale.SeatIds[0]], DateTimeOffset.UtcNow.AddMinutes(1)).ToStored());
        await db.StringSetAsync(hold, intruder, TimeSpan.FromMinutes(1));
        try
        {
            var report = await organizer.GetJsonAsync(path);
            Assert.Equal(1, report.GetProperty("held_by_another_while_sold").GetInt32());
            Assert.Equal(1, report.GetProperty("violations").GetInt32());
        }
        finally
        {
            await db.KeyDeleteAsync([hold, reservation]);
        }
        Assert.Equal(0, (await organizer.GetJsonAsync(path)).GetProperty("violations").GetInt32());
    }
}
