namespace TicketMaster.Messaging;

/// <summary>
/// An event as the catalog publishes it (`event.upserted`, EventsApi → the Indexer): what the search index holds of it.
/// Version grows with every change of the event row, so a consumer can refuse an older one.
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
    IReadOnlyList<PerformerSummary> Performers) : IIntegrationEvent
{
    public static string MessageType => "event.upserted";
}

/// <summary>An event's stored status, as the catalog publishes it; cancelled is final.</summary>
public static class EventStatuses
{
    public const string Scheduled = "scheduled";
    public const string Cancelled = "cancelled";

    public static bool IsKnown(string status) => status is Scheduled or Cancelled;
}

public sealed record VenueSummary(long VenueId, string Name, string City, string Address);

public sealed record PerformerSummary(long PerformerId, string Name);

/// <summary>
/// A page of the catalog as EventsApi serves it to the Indexer (GET /v1/admin/catalog/documents): NextAfter is the
/// <c>after</c> of the next page, null after the last one.
/// </summary>
public sealed record CatalogDocumentsPage(IReadOnlyList<EventDocument> Documents, long? NextAfter);
