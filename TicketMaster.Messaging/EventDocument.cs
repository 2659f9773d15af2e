namespace TicketMaster.Messaging;

/// <summary>
/// What the search index holds of an event: the payload of the `event.upserted` message that the outbox relay
/// publishes and the Indexer applies. Version grows with every change of the event row.
/// </summary>
public sealed record EventDocument(
    long EventId,
    long Version,
    string EventName,
    string Description,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string Status,
    VenueSummary Venue,
    IReadOnlyList<PerformerSummary> Performers);

public sealed record VenueSummary(long VenueId, string Name, string City, string Address);

public sealed record PerformerSummary(long PerformerId, string Name);

public static class CatalogMessageTypes
{
    public const string EventUpserted = "event.upserted";
    public const string VenueCreated = "venue.created";
    public const string PerformerCreated = "performer.created";
    public const string ReindexRequested = "catalog.reindex_requested";
}
