using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using HttpMethod = Elastic.Transport.HttpMethod;
using Microsoft.Extensions.Configuration;
using TicketMaster.Messaging;

namespace TicketMaster.Search;

// The Elasticsearch backend (DESIGN §4), used when a `search` connection string is set (the deployed topology).
// It speaks Elasticsearch's REST API through the official client's transport with explicit JSON: the mapping,
// queries and aggregations stay readable next to their Lucene.Net twins. Upserts use external versioning, so
// Elasticsearch itself refuses an older version of an event (the same rule the Lucene writer applies).
// Not yet run against a live cluster (none exists on our machines): tested against recorded responses.
public sealed class ElasticsearchEventIndex(ElasticsearchClient client, string indexName = ElasticsearchEventIndex.DefaultIndexName)
    : IEventSearch, IEventIndexWriter
{
    public const string DefaultIndexName = "events";
    private const int BulkSize = 1_000;
    private const int FacetSize = 10;

    private readonly SemaphoreSlim _indexCreation = new(1, 1);
    private volatile bool _indexExists;

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString("search"));

    /// <summary>From `ConnectionStrings:search` = http://user:password@host:port (Aspire's Elasticsearch form).</summary>
    public static ElasticsearchEventIndex Create(IConfiguration configuration)
    {
        var uri = new Uri(configuration.GetConnectionString("search")!);
        var settings = new ElasticsearchClientSettings(new Uri(uri.GetLeftPart(UriPartial.Authority)));
        if (uri.UserInfo.Split(':', 2) is [var user, var password])
        {
            settings = settings.Authentication(new BasicAuthentication(Uri.UnescapeDataString(user), Uri.UnescapeDataString(password)));
        }
        return new ElasticsearchEventIndex(new ElasticsearchClient(settings));
    }

    public async Task<bool> UpsertAsync(EventDocument document, CancellationToken cancellationToken)
    {
        await EnsureIndexAsync(cancellationToken);
        var response = await RequestAsync(HttpMethod.PUT,
            $"/{indexName}/_doc/{document.EventId}?version={document.Version}&version_type=external",
            Source(document).ToJsonString(), cancellationToken);
        // 409 version_conflict_engine_exception: this or a newer version is already indexed.
        return Status(response) switch
        {
            200 or 201 => true,
            409 => false,
            _ => throw Failure("index", response),
        };
    }

    public async Task<long> ReplaceAllAsync(IAsyncEnumerable<EventDocument> documents, CancellationToken cancellationToken)
    {
        await EnsureIndexAsync(cancellationToken);
        var count = 0L;
        var batch = new List<EventDocument>(BulkSize);
        await foreach (var document in documents.WithCancellation(cancellationToken))
        {
            batch.Add(document);
            if (batch.Count == BulkSize)
            {
                count += await BulkAsync(batch, cancellationToken);
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            count += await BulkAsync(batch, cancellationToken);
        }
        return count;
    }

    public async Task<bool> IsEmptyAsync(CancellationToken cancellationToken)
    {
        var response = await RequestAsync(HttpMethod.GET, $"/{indexName}/_count", null, cancellationToken);
        if (Status(response) == 404)
        {
            return true;
        }
        EnsureSuccess("count", response);
        return JsonNode.Parse(response.Body)!["count"]!.GetValue<long>() == 0;
    }

    public async Task<EventSearchResult> SearchAsync(EventSearchQuery query, CancellationToken cancellationToken)
    {
        var response = await RequestAsync(HttpMethod.POST, $"/{indexName}/_search", BuildSearch(query).ToJsonString(), cancellationToken);
        if (Status(response) == 404)
        {
            return new EventSearchResult([], 0, query.Page, query.PageSize, new EventSearchFacets([], []));
        }
        EnsureSuccess("search", response);
        return ParseSearch(JsonNode.Parse(response.Body)!, query);
    }

    // Replays the whole catalog with external_gte: equal versions are rewritten, older ones still refused.
    private async Task<long> BulkAsync(List<EventDocument> documents, CancellationToken cancellationToken)
    {
        var body = new StringBuilder();
        foreach (var document in documents)
        {
            body.Append(new JsonObject
            {
                ["index"] = new JsonObject
                {
                    ["_index"] = indexName,
                    ["_id"] = document.EventId.ToString(CultureInfo.InvariantCulture),
                    ["version"] = document.Version,
                    ["version_type"] = "external_gte",
                },
            }.ToJsonString()).Append('\n');
            body.Append(Source(document).ToJsonString()).Append('\n');
        }
        var response = await RequestAsync(HttpMethod.POST, "/_bulk", body.ToString(), cancellationToken);
        EnsureSuccess("bulk", response);
        var result = JsonNode.Parse(response.Body)!;
        if (result["errors"]?.GetValue<bool>() == true)
        {
            var failed = result["items"]!.AsArray().Count(i => i!["index"]!["status"]!.GetValue<int>() is not (200 or 201 or 409));
            if (failed > 0)
            {
                throw new InvalidOperationException($"Elasticsearch bulk indexing failed for {failed} of {documents.Count} events.");
            }
        }
        return documents.Count;
    }

    private async Task EnsureIndexAsync(CancellationToken cancellationToken)
    {
        if (_indexExists)
        {
            return;
        }
        await _indexCreation.WaitAsync(cancellationToken);
        try
        {
            var head = await RequestAsync(HttpMethod.HEAD, $"/{indexName}", null, cancellationToken);
            if (Status(head) == 404)
            {
                var created = await RequestAsync(HttpMethod.PUT, $"/{indexName}", Mapping.ToJsonString(), cancellationToken);
                // 400 resource_already_exists_exception: another Indexer created it meanwhile.
                if (Status(created) is not (200 or 400))
                {
                    throw Failure("create index", created);
                }
            }
            _indexExists = true;
        }
        finally
        {
            _indexCreation.Release();
        }
    }

    private static readonly JsonObject Mapping = new()
    {
        ["mappings"] = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["event_id"] = new JsonObject { ["type"] = "long" },
                ["version"] = new JsonObject { ["type"] = "long" },
                ["event_name"] = new JsonObject { ["type"] = "text" },
                ["description"] = new JsonObject { ["type"] = "text" },
                ["starts_at"] = new JsonObject { ["type"] = "date" },
                ["ends_at"] = new JsonObject { ["type"] = "date" },
                ["status"] = new JsonObject { ["type"] = "keyword" },
                ["city_normalized"] = new JsonObject { ["type"] = "keyword" },
                ["performer_facet"] = new JsonObject { ["type"] = "keyword" },
                ["venue"] = new JsonObject
                {
                    ["properties"] = new JsonObject
                    {
                        ["venue_id"] = new JsonObject { ["type"] = "long" },
                        ["name"] = new JsonObject { ["type"] = "text" },
                        ["city"] = new JsonObject { ["type"] = "text", ["fields"] = new JsonObject { ["keyword"] = new JsonObject { ["type"] = "keyword" } } },
                        ["address"] = new JsonObject { ["type"] = "text", ["index"] = false },
                    },
                },
                ["performers"] = new JsonObject
                {
                    ["properties"] = new JsonObject
                    {
                        ["performer_id"] = new JsonObject { ["type"] = "long" },
                        ["name"] = new JsonObject { ["type"] = "text" },
                    },
                },
            },
        },
    };

    private static JsonObject Source(EventDocument document)
    {
        var source = JsonSerializer.SerializeToNode(document, MessageJson.Options)!.AsObject();
        source["city_normalized"] = document.Venue.City.Trim().ToLowerInvariant();
        source["performer_facet"] = new JsonArray(document.Performers
            .Select(p => (JsonNode)JsonValue.Create($"{p.PerformerId.ToString(CultureInfo.InvariantCulture)}|{p.Name}")).ToArray());
        return source;
    }

    // The same semantics as LuceneQueryBuilder: every word must match some field, a small typo allowed
    // (AUTO: 1 edit from 3 letters, 2 from 6), filters do not score, relevance then date.
    public static JsonObject BuildSearch(EventSearchQuery query)
    {
        var filters = new JsonArray();
        if (query.VenueId is { } venueId)
        {
            filters.Add(Term("venue.venue_id", venueId));
        }
        if (query.PerformerId is { } performerId)
        {
            filters.Add(Term("performers.performer_id", performerId));
        }
        if (!string.IsNullOrWhiteSpace(query.City))
        {
            filters.Add(Term("city_normalized", query.City.Trim().ToLowerInvariant()));
        }
        if (query.From is not null || query.To is not null)
        {
            var range = new JsonObject();
            if (query.From is { } from)
            {
                range["gte"] = from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            }
            if (query.To is { } to)
            {
                range["lte"] = to.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            }
            filters.Add(new JsonObject { ["range"] = new JsonObject { ["starts_at"] = range } });
        }

        var hasText = !string.IsNullOrWhiteSpace(query.Text);
        var must = hasText
            ? new JsonObject
            {
                ["multi_match"] = new JsonObject
                {
                    ["query"] = query.Text,
                    ["fields"] = new JsonArray("event_name^4", "performers.name^3", "venue.name^2", "venue.city^1.5", "description"),
                    ["operator"] = "and",
                    ["fuzziness"] = "AUTO",
                    ["prefix_length"] = 1,
                },
            }
            : new JsonObject { ["match_all"] = new JsonObject() };

        var sort = new JsonArray();
        if (hasText)
        {
            sort.Add("_score");
        }
        sort.Add(new JsonObject { ["starts_at"] = new JsonObject { ["order"] = "asc" } });

        return new JsonObject
        {
            ["from"] = (query.Page - 1) * query.PageSize,
            ["size"] = query.PageSize,
            ["track_total_hits"] = true,
            ["query"] = new JsonObject
            {
                ["bool"] = new JsonObject
                {
                    ["must"] = must,
                    ["filter"] = filters,
                    ["must_not"] = query.IncludeCancelled ? new JsonArray() : new JsonArray(Term("status", "cancelled")),
                },
            },
            ["sort"] = sort,
            ["_source"] = new JsonArray("event_id", "event_name", "starts_at", "venue", "performers", "status"),
            ["aggs"] = new JsonObject
            {
                ["city"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = "venue.city.keyword", ["size"] = FacetSize } },
                ["performer"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = "performer_facet", ["size"] = FacetSize } },
            },
        };
    }

    private static EventSearchResult ParseSearch(JsonNode body, EventSearchQuery query)
    {
        var hits = body["hits"]!;
        var items = hits["hits"]!.AsArray()
            .Select(h => h!["_source"].Deserialize<EventSearchHit>(MessageJson.Options)!)
            .ToList();
        var aggregations = body["aggregations"];
        var cities = Buckets(aggregations?["city"]).Select(b => new FacetValue(b.Key, b.Count)).ToList();
        var performers = Buckets(aggregations?["performer"]).Select(b =>
        {
            var separator = b.Key.IndexOf('|', StringComparison.Ordinal);
            return new PerformerFacetValue(long.Parse(b.Key[..separator], CultureInfo.InvariantCulture), b.Key[(separator + 1)..], b.Count);
        }).ToList();
        return new EventSearchResult(items, hits["total"]!["value"]!.GetValue<long>(), query.Page, query.PageSize,
            new EventSearchFacets(cities, performers));
    }

    private static IEnumerable<(string Key, long Count)> Buckets(JsonNode? aggregation) =>
        aggregation?["buckets"]?.AsArray().Select(b => (b!["key"]!.GetValue<string>(), b["doc_count"]!.GetValue<long>())) ?? [];

    private static JsonObject Term(string field, JsonNode value) =>
        new() { ["term"] = new JsonObject { [field] = value } };

    private async Task<StringResponse> RequestAsync(HttpMethod method, string path, string? body, CancellationToken cancellationToken) =>
        await client.Transport.RequestAsync<StringResponse>(method, path, body is null ? null : PostData.String(body), cancellationToken);

    private static int Status(StringResponse response) => response.ApiCallDetails.HttpStatusCode ?? 0;

    private static void EnsureSuccess(string operation, StringResponse response)
    {
        if (Status(response) is not (>= 200 and < 300))
        {
            throw Failure(operation, response);
        }
    }

    private static InvalidOperationException Failure(string operation, StringResponse response) =>
        new($"Elasticsearch {operation} failed ({Status(response)}): {response.Body}");
}
