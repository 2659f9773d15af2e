using System.Globalization;
using System.Numerics;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;
using TicketMaster.EventsApi.Events;
using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.EventsApi.Search;

public static class SearchApi
{
    // Results must be fresh within 1 s of a write, so a CDN may keep them only that long; ETags make
    // revalidation cheap.
    private const string SearchCacheControl = "public, max-age=1";

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/events/search", SearchEvents).WithTags("Search").RequireRateLimit(RateLimitKind.Reads);
        // Rebuilding the whole index is the platform's business, not one organizer's.
        app.MapPost("/v1/admin/reindex", RequestReindex).WithTags("Search").RequireAuthorization(Roles.Admin);
        // The Indexer rebuilds the index from the catalog's own API, not by reading the catalog's tables.
        app.MapGet("/v1/admin/catalog/documents", ListDocuments).WithTags("Search").RequireAuthorization(Roles.SearchIndexer);
        return app;
    }

    public static async Task<Results<CacheableJson, ValidationProblem>> SearchEvents(
        HttpRequest request, IEventSearch search, CancellationToken cancellationToken)
    {
        var (query, errors) = Parse(request.Query);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var result = await search.SearchAsync(query, cancellationToken);
        return new CacheableJson(result, SearchCacheControl);
    }

    /// <summary>A page of the catalog as search documents, in event id order: <c>after</c> the last id of the previous page.</summary>
    public static async Task<Results<Ok<CatalogDocumentsPage>, ValidationProblem>> ListDocuments(
        HttpRequest request, MySqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var after = ParseNumber(request.Query, "after", 0L, errors);
        var limit = ParseNumber(request.Query, "limit", 500, errors);
        if (after < 0)
        {
            errors.Add("after", "must not be negative");
        }
        if (limit is < 1 or > EventDocumentReader.MaxPageSize)
        {
            errors.Add("limit", $"must be between 1 and {EventDocumentReader.MaxPageSize}");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var documents = await EventDocumentReader.ReadPageAsync(dataSource, after, limit, cancellationToken);
        return TypedResults.Ok(new CatalogDocumentsPage(documents, documents.Count == limit ? documents[^1].EventId : null));
    }

    /// <summary>Asks the Indexer (through the outbox, like every catalog change) to rebuild the index from the catalog.</summary>
    public static async Task<Accepted> RequestReindex(MySqlDataSource dataSource, Outbox outbox, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await outbox.AppendAsync(transaction, "catalog", 0, new CatalogReindexRequested(DateTimeOffset.UtcNow), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.NotifyCommitted();
        return TypedResults.Accepted((string?)null);
    }

    private static (EventSearchQuery Query, ValidationErrors Errors) Parse(IQueryCollection query)
    {
        var errors = new ValidationErrors();
        var text = query["q"].ToString();
        if (text.Length > 200)
        {
            errors.Add("q", "must be at most 200 characters");
        }
        var city = query["city"].ToString();
        if (city.Length > 100)
        {
            errors.Add("city", "must be at most 100 characters");
        }

        var venueId = ParseId(query, "venue_id", errors);
        var performerId = ParseId(query, "performer_id", errors);
        var from = ParseTime(query, "from", errors);
        var to = ParseTime(query, "to", errors);
        if (from > to)
        {
            errors.Add("to", "must not be before from");
        }

        var page = ParseNumber(query, "page", 1, errors);
        var pageSize = ParseNumber(query, "page_size", 20, errors);
        if (page < 1)
        {
            errors.Add("page", "must be 1 or more");
        }
        if (pageSize is < 1 or > EventSearchQuery.MaxPageSize)
        {
            errors.Add("page_size", $"must be between 1 and {EventSearchQuery.MaxPageSize}");
        }
        else if (page >= 1 && (long)page * pageSize > EventSearchQuery.MaxWindow)
        {
            errors.Add("page", $"page × page_size must be at most {EventSearchQuery.MaxWindow}; narrow the search instead");
        }

        // Cancelled events are left out unless asked for (an organizer's list, a fan looking up a refund).
        var includeCancelled = query["include_cancelled"].ToString() == "true";
        if (query["include_cancelled"].ToString() is not ("" or "true" or "false"))
        {
            errors.Add("include_cancelled", "must be true or false");
        }

        return (new EventSearchQuery(NullIfEmpty(text), venueId, performerId, NullIfEmpty(city), from, to, page, pageSize, includeCancelled), errors);
    }

    private static long? ParseId(IQueryCollection query, string name, ValidationErrors errors)
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }
        if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return id;
        }
        errors.Add(name, "must be a positive integer id");
        return null;
    }

    private static DateTimeOffset? ParseTime(IQueryCollection query, string name, ValidationErrors errors)
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }
        errors.Add(name, "must be an ISO 8601 date or date-time, e.g. 2027-05-01T20:00:00Z");
        return null;
    }

    private static T ParseNumber<T>(IQueryCollection query, string name, T fallback, ValidationErrors errors) where T : INumberBase<T>
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return fallback;
        }
        if (T.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        errors.Add(name, "must be an integer");
        return fallback;
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
