using System.Net;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Outages;

// Redis keeps only what MySQL can rebuild (DESIGN §3): losing its data — a restart without persistence, which is how
// the tests run it — loses unconfirmed holds, never a sale. The first reserve afterwards refills the event's sold set,
// so a sold seat is refused at once, and a fan's bought tickets still count against the limit.
[Collection(AppHostCollection.Name)]
public sealed class RedisDataLossTests(AppHostFixture fixture)
{
    [Fact]
    public async Task After_Redis_lost_its_data_a_sold_seat_is_refused_at_once_and_bought_tickets_still_count()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3, maxTicketsPerUser: 2);
        using var buyer = sale.Fan("redis-loss-buyer");
        using var other = sale.Fan("redis-loss-other");
        var reservation = await BookingSetup.ReservationIdAsync(buyer, sale.EventId, sale.SeatIds[0]);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(buyer, reservation)).StatusCode);
        // The sale goes on (BookingApi has seen the sold set in Redis); this hold is lost with Redis' data.
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(other, sale.EventId, sale.SeatIds[1])).StatusCode);

        await fixture.RestartAsync("redis", whileDown: async () =>
        {
            // Without Redis a reserve cannot hold anything: a problem saying when to retry, not a 500.
            var down = await (await BookingSetup.ReserveAsync(other, sale.EventId, sale.SeatIds[2])).AssertProblemAsync(503);
            Assert.Equal("Try again in a moment", down.GetProperty("title").GetString());
        });

        // While BookingApi reconnects a reserve may be 503 (retry); never a hold on the sold seat.
        await Eventually.TrueAsync(async () =>
        {
            var retaken = await BookingSetup.ReserveAsync(other, sale.EventId, sale.SeatIds[0]);
            Assert.Contains(retaken.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.ServiceUnavailable });
            return retaken.StatusCode == HttpStatusCode.Conflict;
        }, TimeSpan.FromSeconds(30), "the sold seat is refused once Redis is back");
        // One ticket bought, limit two: two more seats are one too many.
        await (await BookingSetup.ReserveAsync(buyer, sale.EventId, sale.SeatIds[1], sale.SeatIds[2])).AssertProblemAsync(422);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(other, sale.EventId, sale.SeatIds[1], sale.SeatIds[2])).StatusCode);
        await sale.AssertInvariantsAsync();
    }
}
