using System.Net;
using StackExchange.Redis;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.Tests.Booking;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.HostileInput;

// Redis holds the holds: it runs with maxmemory and noeviction, so when it is full it refuses new writes (a 503 the fan
// may retry) instead of silently evicting somebody's hold, and BookingApi's health says how full it is.
[Collection(AppHostCollection.Name)]
public sealed class BoundedStateTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_full_Redis_refuses_new_holds_with_503_and_evicts_no_one()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        using var holder = sale.Fan("memory-holder");
        using var late = sale.Fan("memory-late");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.GetConnectionStringAsync("redis") + ",allowAdmin=true");
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
}
