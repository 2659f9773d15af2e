using System.Text.Json;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults;
using TicketMaster.Search;

namespace TicketMaster.Indexer.Catalog;

// Applies one catalog change to the search index. Idempotent: a redelivered or older event version is a no-op.
public sealed class CatalogChangeHandler(
    IEventIndexWriter index,
    CatalogClient catalog,
    IndexerStats stats,
    ILogger<CatalogChangeHandler> logger)
{
    public async Task HandleAsync(string? messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (messageType == EventDocument.MessageType)
        {
            var document = Parse(body);
            if (await index.UpsertAsync(document, cancellationToken))
            {
                stats.Indexed();
            }
            else
            {
                stats.SkippedStale();
                logger.LogDebug("Skipped event {EventId} v{Version}: the index already has it or newer", document.EventId, document.Version);
            }
        }
        else if (messageType == CatalogReindexRequested.MessageType)
        {
            await ReindexAsync(cancellationToken);
        }
        else
        {
            throw new PoisonMessageException($"Unknown message type '{messageType}'.");
        }
    }

    public async Task ReindexAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var count = await index.ReplaceAllAsync(catalog.ReadAllAsync(cancellationToken), cancellationToken);
        stats.Reindexed();
        logger.LogInformation("Reindexed {Count} events from the catalog in {Elapsed}", count, TimeProvider.System.GetElapsedTime(started));
    }

    private static EventDocument Parse(ReadOnlyMemory<byte> body)
    {
        EventDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<EventDocument>(body.Span, MessageJson.Options);
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException("The event.upserted body is not valid JSON.", ex);
        }
        if (document is not { EventId: > 0, Version: > 0, EventName: not null, Venue: not null, Performers: not null })
        {
            throw new PoisonMessageException("The event.upserted body lacks event_id, version, event_name, venue or performers.");
        }
        return document;
    }
}
