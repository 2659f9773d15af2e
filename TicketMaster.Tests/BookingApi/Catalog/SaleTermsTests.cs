using System.Text.Json;
using MySqlConnector;
using RabbitMQ.Client;
using TicketMaster.Messaging;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Catalog;

// The sale keeps its own copy of each event's terms (sale_event, sale_staff): listed from the catalog's API when it
// first meets the event, then kept up to date from event.sale_changed, the newest version winning.
[Collection(AppHostCollection.Name)]
public sealed class SaleTermsTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_change_of_the_terms_reaches_the_sale_and_an_older_message_delivered_late_changes_nothing()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4);
        var listed = await TermsAsync(sale.EventId);
        Assert.Equal((1L, 8, ""), listed);

        Assert.True((await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { max_tickets_per_user = 3 })).IsSuccessStatusCode);
        await sale.AssignStaffAsync("door-a", "door-b");
        await Eventually.TrueAsync(async () => await TermsAsync(sale.EventId) == (3L, 3, "door-a,door-b"), TimeSpan.FromSeconds(10),
            "the sale kept version 3: the new limit, then the staff");

        // The first version's message, delivered again after the newer ones (a redelivery, a slow relay).
        using var organizer = await fixture.ClientAsync("eventsapi", "bookingapi", TicketMaster.ServiceDefaults.Auth.Roles.BookingService);
        var current = JsonSerializer.Deserialize<EventSaleListing>(
            (await organizer.GetJsonAsync($"/v1/admin/catalog/events/{sale.EventId}/sale")).GetRawText(), MessageJson.Options)!;
        var stale = current.Terms with { Event = current.Terms.Event with { Version = 1 }, MaxTicketsPerUser = 8, Staff = ["stale-door"] };
        await using (var connection = await fixture.ConnectRabbitMqAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.BasicPublishAsync(BrokerTopology.Exchange, EventSaleChanged.MessageType, mandatory: true,
                new BasicProperties { Type = EventSaleChanged.MessageType, MessageId = Guid.NewGuid().ToString(), DeliveryMode = DeliveryModes.Persistent },
                JsonSerializer.SerializeToUtf8Bytes(stale, MessageJson.Options));
            await Eventually.TrueAsync(async () => (await channel.QueueDeclarePassiveAsync(BrokerTopology.SaleTermsQueue)).MessageCount == 0,
                TimeSpan.FromSeconds(10), "BookingApi consumed the stale message");
        }
        await Task.Delay(1500); // a delivery leaves the ready count before its transaction commits

        Assert.Equal((3L, 3, "door-a,door-b"), await TermsAsync(sale.EventId));
        await sale.AssertInvariantsAsync();
    }

    private async Task<(long Version, int MaxTickets, string Staff)> TermsAsync(long eventId)
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var command = new MySqlCommand("""
            SELECT e.version, e.max_tickets_per_user,
                   COALESCE((SELECT GROUP_CONCAT(s.user_id ORDER BY s.user_id) FROM sale_staff s WHERE s.event_id = e.event_id), '')
            FROM sale_event e WHERE e.event_id = @e
            """, db);
        command.Parameters.AddWithValue("@e", eventId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"the sale has no terms of event {eventId}");
        return (reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2));
    }
}
