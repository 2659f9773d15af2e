using TicketMaster.Messaging;

namespace TicketMaster.Search;

public sealed record EventSearchQuery(
    string? Text,
    long? VenueId,
    long? PerformerId,
    string? City,
    DateTimeOffset? From,
    DateTimeOffset? To,
    int Page,
    int PageSize,
    bool IncludeCancelled = false)
{
    public const int MaxPageSize = 100;
    /// <summary>Deep pages cost a collector of page × size hits; past this, refine the query instead.</summary>
    public const int MaxWindow = 10_000;
}

/// <summary>One found event; status is "scheduled" or "cancelled" (cancelled ones only when asked for).</summary>
public sealed record EventSearchHit(long EventId, string EventName, DateTimeOffset StartsAt, VenueSummary Venue, IReadOnlyList<PerformerSummary> Performers,
    string Status);

public sealed record FacetValue(string Value, long Count);

public sealed record PerformerFacetValue(long PerformerId, string Name, long Count);

public sealed record EventSearchFacets(IReadOnlyList<FacetValue> City, IReadOnlyList<PerformerFacetValue> Performer);

public sealed record EventSearchResult(IReadOnlyList<EventSearchHit> Items, long Total, int Page, int PageSize, EventSearchFacets Facets);

/// <summary>Search over the event index (DESIGN §4): embedded Lucene.Net by default, Elasticsearch when configured.</summary>
public interface IEventSearch
{
    Task<EventSearchResult> SearchAsync(EventSearchQuery query, CancellationToken cancellationToken);
}

/// <summary>The Indexer's side: the only writer of the index.</summary>
public interface IEventIndexWriter
{
    /// <summary>Applies the document unless the index already holds this or a newer version; true when applied.</summary>
    Task<bool> UpsertAsync(EventDocument document, CancellationToken cancellationToken);

    /// <summary>Replaces the whole index with <paramref name="documents"/> (the reindex command).</summary>
    Task<long> ReplaceAllAsync(IAsyncEnumerable<EventDocument> documents, CancellationToken cancellationToken);

    /// <summary>True when the index holds no document (a fresh volume): the Indexer then rebuilds it from the catalog.</summary>
    Task<bool> IsEmptyAsync(CancellationToken cancellationToken);
}
