using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TicketMaster.BookingApi.WriteQueue;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Outages;

// RabbitMQ only levels the load of booking writes (the writer is in BookingApi's own process): a broker that
// restarts in the middle of a sale must cost neither a fan's confirm nor, once it is back, the queue itself.
[Collection(AppHostCollection.Name)]
public sealed class BrokerOutageTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Confirms_book_while_the_broker_is_down_and_travel_through_the_queue_again_once_it_is_back()
    {
        // Every confirm until the broker's statistics show the queue in use takes a fresh seat: room for a slow machine.
        var sale = await BookingSetup.CreateAsync(fixture, seats: 100);
        var seats = new Queue<long>(sale.SeatIds);

        // A restart nobody confirms through: the clients recover on their own, and the replies must find the
        // confirms again (a reply queue named by the broker gets a new name when it is declared again). The queue
        // path is in use before, as in a sale (and as when other tests ran first).
        await ConfirmsUseTheQueueAgainAsync(sale, seats);
        await fixture.RestartAsync("rabbitmq", whileDown: () => Task.CompletedTask);
        // Past the client's recovery (it retries every 5 s), so the first confirm finds the recovered channel.
        await Task.Delay(TimeSpan.FromSeconds(8));
        await ConfirmsUseTheQueueAgainAsync(sale, seats);

        // A restart with a confirm while the broker is down: not a 202 for a write nobody will make, but a booking,
        // written by BookingApi's own writer. (Reserved then: stopping the broker outlasts the tests' 6 s holds.)
        await fixture.RestartAsync("rabbitmq", whileDown: async () => Assert.Equal(HttpStatusCode.Created, await BookAsync(sale, seats.Dequeue())));
        await ConfirmsUseTheQueueAgainAsync(sale, seats);

        // Nothing stays behind in the queue: no delivery held unacked by a channel that recovery opened twice.
        await Eventually.TrueAsync(async () =>
        {
            var queue = await WriteQueueAsync();
            return queue.GetProperty("messages_unacknowledged").GetInt64() == 0 && queue.GetProperty("messages_ready").GetInt64() == 0;
        }, TimeSpan.FromSeconds(20), "the write queue empties after the restarts");
        await sale.AssertInvariantsAsync();
    }

    // Every confirm books (201: through the queue, or directly while BookingApi's connection is still recovering —
    // a lost reply would be a 202 after 5 s), until the restarted broker, whose statistics start from zero, shows
    // a publish to the write queue.
    private async Task ConfirmsUseTheQueueAgainAsync(BookingSetup sale, Queue<long> seats)
    {
        var published = await PublishedToWriteQueueAsync();
        await Eventually.TrueAsync(async () =>
        {
            Assert.Equal(HttpStatusCode.Created, await BookAsync(sale, seats.Dequeue()));
            await Task.Delay(TimeSpan.FromSeconds(1));
            return await PublishedToWriteQueueAsync() > published;
        }, TimeSpan.FromSeconds(40), "a confirm travels through the booking write queue");
    }

    // A fan of its own per seat, so the per-fan ticket limit never says no.
    private static async Task<HttpStatusCode> BookAsync(BookingSetup sale, long seatId)
    {
        using var fan = sale.Fan($"broker-outage-fan-{seatId}");
        var reservation = await BookingSetup.ReservationIdAsync(fan, sale.EventId, seatId);
        return (await BookingSetup.ConfirmAsync(fan, reservation)).StatusCode;
    }

    // Messages published to the write queue since the broker started (management API; refreshed every 5 s).
    private async Task<long> PublishedToWriteQueueAsync()
    {
        var queue = await WriteQueueAsync();
        return queue.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("publish", out var published)
            ? published.GetInt64()
            : 0;
    }

    private async Task<System.Text.Json.JsonElement> WriteQueueAsync()
    {
        var amqp = new Uri(await fixture.GetConnectionStringAsync("rabbitmq"));
        using var management = new HttpClient { BaseAddress = fixture.App.GetEndpoint("rabbitmq", "management") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
        return await management.GetJsonAsync($"/api/queues/%2F/{WriteQueueTopology.Queue}");
    }
}
