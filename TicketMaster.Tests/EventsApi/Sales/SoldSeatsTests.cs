using System.Text.Json;
using RabbitMQ.Client;
using TicketMaster.Messaging;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.EventsApi.Sales;

// The catalog's availability comes from the sale's booking.confirmed messages, never from the sale's tables.
[Collection(AppHostCollection.Name)]
public sealed class SoldSeatsTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_confirmed_booking_shows_in_the_events_availability_once_however_often_it_is_delivered()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 5);
        using var fan = sale.Fan("availability-fan");
        using var reader = await fixture.ClientAsync("eventsapi");
        Assert.Equal(0, (await AvailabilityAsync(reader, sale.EventId)).GetProperty("sold_seats").GetInt64());

        var reservation = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0], sale.SeatIds[1]);
        var booking = await (await BookingSetup.ConfirmAsync(fan, reservation)).ReadJsonAsync();
        await Eventually.TrueAsync(async () => (await AvailabilityAsync(reader, sale.EventId)).GetProperty("sold_seats").GetInt64() == 2,
            TimeSpan.FromSeconds(10), "the event's details count the two sold seats");

        // The broker delivers at least once: the same booking again (and again) counts nothing more.
        var redelivered = new BookingConfirmed(booking.Id("booking_id"), reservation, sale.EventId, "availability-fan",
            [sale.SeatIds[0], sale.SeatIds[1]], 0);
        await PublishAsync(redelivered);
        await PublishAsync(redelivered);
        await WaitForEmptyQueueAsync();

        var availability = await AvailabilityAsync(reader, sale.EventId);
        Assert.Equal(2, availability.GetProperty("sold_seats").GetInt64());
        Assert.Equal(3, availability.GetProperty("available_seats").GetInt64());
        Assert.Equal(5, availability.GetProperty("total_seats").GetInt64());
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Bookings_that_arrive_together_count_in_one_pass_and_a_bad_message_among_them_costs_the_others_nothing()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 60);
        using var reader = await fixture.ClientAsync("eventsapi");
        var deadBefore = await DeadLetterCountAsync();

        // Forty one-seat bookings, each delivered twice, a message that is not JSON among them, and a refund of three
        // seats delivered twice: published at once, so the consumer takes them in batches.
        var first = Random.Shared.NextInt64(1L << 40, 1L << 50);
        var bookings = Enumerable.Range(0, 40)
            .Select(i => new BookingConfirmed(first + i, $"r-{first + i}", sale.EventId, $"batch-fan-{i}", [sale.SeatIds[i]], 4_500)).ToList();
        var refund = new BookingRefunded(first, first, sale.EventId, [sale.SeatIds[0], sale.SeatIds[1], sale.SeatIds[2]], 13_500);
        await using (var connection = await fixture.ConnectRabbitMqAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            foreach (var booking in bookings.Take(20))
            {
                await PublishAsync(channel, BookingConfirmed.MessageType, JsonSerializer.SerializeToUtf8Bytes(booking, MessageJson.Options));
            }
            await PublishAsync(channel, BookingConfirmed.MessageType, "{\"booking_id\": "u8.ToArray());
            await PublishAsync(channel, BookingRefunded.MessageType, JsonSerializer.SerializeToUtf8Bytes(refund, MessageJson.Options));
            foreach (var booking in bookings.Skip(20).Concat(bookings))
            {
                await PublishAsync(channel, BookingConfirmed.MessageType, JsonSerializer.SerializeToUtf8Bytes(booking, MessageJson.Options));
            }
            await PublishAsync(channel, BookingRefunded.MessageType, JsonSerializer.SerializeToUtf8Bytes(refund, MessageJson.Options));
        }
        await WaitForEmptyQueueAsync();

        await Eventually.TrueAsync(async () => (await AvailabilityAsync(reader, sale.EventId)).GetProperty("sold_seats").GetInt64() == 37,
            TimeSpan.FromSeconds(10), "forty bookings counted once each, less the refund's three seats counted once");
        Assert.Equal(23, (await AvailabilityAsync(reader, sale.EventId)).GetProperty("available_seats").GetInt64());
        Assert.Equal(deadBefore + 1, await DeadLetterCountAsync());
        await sale.AssertInvariantsAsync();
    }

    private static async Task<JsonElement> AvailabilityAsync(HttpClient reader, long eventId)
    {
        // A revalidation past any cached copy: the consumer evicts the event's cached details when it counts a booking.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/events/{eventId}");
        var response = await reader.SendAsync(request);
        return (await response.ReadJsonAsync()).GetProperty("availability");
    }

    private async Task PublishAsync(BookingConfirmed booking)
    {
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        await PublishAsync(channel, BookingConfirmed.MessageType, JsonSerializer.SerializeToUtf8Bytes(booking, MessageJson.Options));
    }

    private static async Task PublishAsync(IChannel channel, string type, byte[] body) =>
        await channel.BasicPublishAsync(BrokerTopology.BookingExchange, type, mandatory: true,
            new BasicProperties { Type = type, MessageId = Guid.NewGuid().ToString(), DeliveryMode = DeliveryModes.Persistent }, body);

    private async Task<uint> DeadLetterCountAsync()
    {
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(BrokerTopology.CatalogSalesDeadLetterQueue)).MessageCount;
    }

    private async Task WaitForEmptyQueueAsync()
    {
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        await Eventually.TrueAsync(async () =>
        {
            var queue = await channel.QueueDeclarePassiveAsync(BrokerTopology.CatalogSalesQueue);
            return queue.MessageCount == 0;
        }, TimeSpan.FromSeconds(10), "EventsApi consumed the redeliveries");
        await Task.Delay(1500); // a delivery leaves the ready count before its transaction commits
    }
}
