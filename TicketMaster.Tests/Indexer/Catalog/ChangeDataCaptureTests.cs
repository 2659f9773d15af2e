using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using TicketMaster.ServiceDefaults;
using TicketMaster.Messaging;
using TicketMaster.Search;
using TicketMaster.Tests.EventsApi.Search;
using TicketMaster.Tests.EventsApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Indexer.Catalog;

// The outbox → RabbitMQ → Indexer path (DESIGN §4) under redelivery, poison messages and an Indexer outage.
[Collection(AppHostCollection.Name)]
public sealed class ChangeDataCaptureTests(AppHostFixture fixture)
{
    private static readonly DateTimeOffset June = new(2031, 6, 1, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Events_created_while_the_Indexer_is_stopped_are_all_indexed_after_it_restarts()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Outage Hall", "Wells", ("Floor", 1, 2));
        using var http = await fixture.ClientAsync("eventsapi");

        await fixture.App.ResourceCommands.ExecuteCommandAsync("indexer", KnownResourceCommands.StopCommand);
        try
        {
            for (var i = 0; i < 5; i++)
            {
                await catalog.EventAsync(venue, $"Outage {catalog.Tag}", June.AddDays(i));
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(0, (await http.GetJsonAsync($"/v1/events/search?q={catalog.Tag}")).GetProperty("total").GetInt64());
        }
        finally
        {
            await fixture.App.ResourceCommands.ExecuteCommandAsync("indexer", KnownResourceCommands.StartCommand);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("indexer");
        }

        await SearchWait.UntilTotalAsync(http, $"q={catalog.Tag}", 5, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_message_delivered_twice_or_late_is_applied_once_and_never_overwrites_a_newer_version()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Replay Hall", "Wells", ("Floor", 1, 2));
        var created = await catalog.EventAsync(venue, $"Original {catalog.Tag}", June);
        var eventId = created.Id("event_id");
        using var http = await fixture.ClientAsync("eventsapi");
        await SearchWait.UntilTotalAsync(http, $"q=Original%20{catalog.Tag}", 1);
        await catalog.Http.PatchJsonAsync($"/v1/events/{eventId}", new { event_name = $"Renamed {catalog.Tag}" });
        await SearchWait.UntilTotalAsync(http, $"q=Renamed%20{catalog.Tag}", 1);
        var before = await IndexerStatsAsync();

        // Version 2 again (a redelivery) twice, and the stale version 1 with the old name (a late message).
        var current = StaleDocument(created, version: 2, $"Renamed {catalog.Tag}");
        await PublishAsync(EventDocument.MessageType, JsonSerializer.SerializeToUtf8Bytes(current, TicketMasterJson.Options));
        await PublishAsync(EventDocument.MessageType, JsonSerializer.SerializeToUtf8Bytes(current, TicketMasterJson.Options));
        await PublishAsync(EventDocument.MessageType,
            JsonSerializer.SerializeToUtf8Bytes(StaleDocument(created, version: 1, $"Outdated {catalog.Tag}"), TicketMasterJson.Options));

        var after = await WaitForStatsAsync(s => s.GetProperty("skipped_stale").GetInt64() >= before.GetProperty("skipped_stale").GetInt64() + 3);
        Assert.Equal(before.GetProperty("indexed").GetInt64(), after.GetProperty("indexed").GetInt64());
        Assert.Equal(0, (await http.GetJsonAsync($"/v1/events/search?q=Outdated%20{catalog.Tag}")).GetProperty("total").GetInt64());
        Assert.Equal([eventId], (await http.GetJsonAsync($"/v1/events/search?q={catalog.Tag}")).EventIds());
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_and_later_messages_still_index()
    {
        var before = await IndexerStatsAsync();
        var deadBefore = await DeadLetterCountAsync();

        await PublishAsync(EventDocument.MessageType, "{ not json"u8.ToArray());
        // The Indexer's queue is bound to the message types it handles; one of those keys carrying an unknown type is poison.
        await PublishAsync("event.unheard_of", "{}"u8.ToArray(), routingKey: EventDocument.MessageType);

        await WaitForStatsAsync(s => s.GetProperty("dead_lettered").GetInt64() >= before.GetProperty("dead_lettered").GetInt64() + 2);
        Assert.True(await DeadLetterCountAsync() >= deadBefore + 2);

        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("After Poison Hall", "Wells", ("Floor", 1, 2));
        await catalog.EventAsync(venue, $"Survivor {catalog.Tag}", June);
        using var http = await fixture.ClientAsync("eventsapi");
        await SearchWait.UntilTotalAsync(http, $"q={catalog.Tag}", 1);
    }

    [Fact]
    public async Task The_request_trace_continues_into_the_outbox_message_headers()
    {
        var catalog = await CatalogSetup.CreateAsync(fixture);
        var venue = await catalog.VenueAsync("Trace Hall", "Wells", ("Floor", 1, 2));
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        var probe = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(probe, BrokerTopology.Exchange, EventDocument.MessageType);

        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = JsonContent(CatalogSetup.EventBody(venue, $"Traced {catalog.Tag}", June)),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var response = await catalog.Http.SendAsync(request);
        var eventId = (await response.ReadJsonAsync()).Id("event_id");

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var message = await channel.BasicGetAsync(probe, autoAck: true);
            if (message is null)
            {
                await Task.Delay(50);
                continue;
            }
            var document = JsonSerializer.Deserialize<EventDocument>(message.Body.Span, TicketMasterJson.Options)!;
            if (document.EventId != eventId)
            {
                continue;
            }
            var traceParent = Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers!["traceparent"]!);
            Assert.Equal(traceId.ToString(), traceParent.Split('-')[1]);
            return;
        }
        Assert.Fail("the event.upserted message never arrived");
    }

    private static EventDocument StaleDocument(JsonElement created, long version, string name) => new(
        created.Id("event_id"), version, name, "replayed", created.GetProperty("starts_at").GetDateTimeOffset(),
        created.GetProperty("ends_at").GetDateTimeOffset(), "scheduled",
        JsonSerializer.Deserialize<VenueSummary>(created.GetProperty("venue"), TicketMasterJson.Options)!, []);

    private async Task PublishAsync(string type, byte[] body, string? routingKey = null)
    {
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicPublishAsync(BrokerTopology.Exchange, routingKey ?? type, mandatory: true,
            new BasicProperties { Type = type, MessageId = Guid.NewGuid().ToString(), DeliveryMode = DeliveryModes.Persistent }, body);
    }

    private async Task<uint> DeadLetterCountAsync()
    {
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(BrokerTopology.IndexerDeadLetterQueue)).MessageCount;
    }

    private async Task<JsonElement> IndexerStatsAsync()
    {
        using var http = fixture.App.CreateHttpClient("indexer");
        return await http.GetJsonAsync("/indexer/stats");
    }

    private async Task<JsonElement> WaitForStatsAsync(Func<JsonElement, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var stats = await IndexerStatsAsync();
            if (condition(stats))
            {
                return stats;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"indexer stats never met the condition: {stats}");
            await Task.Delay(50);
        }
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body, TicketMasterJson.Options), Encoding.UTF8, "application/json");
}
