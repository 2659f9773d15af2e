using System.Net;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Outages;

// MySQL is the arbiter of every sale: while it restarts a confirm cannot book and must say "retry" (503) before any
// payment is authorized, not fail with a 500; once it is back, confirms book again.
[Collection(AppHostCollection.Name)]
public sealed class MySqlOutageTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_confirm_while_MySQL_restarts_is_503_and_confirms_book_once_it_is_back()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var fan = sale.Fan("mysql-outage-fan");
        var held = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);

        await fixture.RestartAsync("mysql", whileDown: async () =>
        {
            var down = await (await BookingSetup.ConfirmAsync(fan, held)).AssertProblemAsync(503);
            Assert.Equal("Try again in a moment", down.GetProperty("title").GetString());
        });

        // Pooled connections broken by the restart may answer 503 for a moment; never a 500, and then a booking.
        var reservation = "";
        await Eventually.TrueAsync(async () =>
        {
            var reserve = await BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[1]);
            Assert.Contains(reserve.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable });
            reservation = reserve.StatusCode == HttpStatusCode.Created
                ? (await reserve.ReadJsonAsync()).GetProperty("reservation_id").GetString()!
                : "";
            return reservation.Length > 0;
        }, TimeSpan.FromSeconds(30), "a reserve holds once MySQL is back");
        await Eventually.TrueAsync(async () =>
        {
            var confirm = await BookingSetup.ConfirmAsync(fan, reservation);
            Assert.Contains(confirm.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable });
            return confirm.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(5), "the confirm books once MySQL is back");
        await sale.AssertInvariantsAsync();
    }
}
