using System.Text.Json.Nodes;
using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.Tests.Search;

// The Elasticsearch backend against recorded Elasticsearch 8 responses through the client's in-memory
// transport: no Elasticsearch server exists on these machines.
public sealed class ElasticsearchEventIndexTests
{
    private static readonly VenueSummary Hall = new(11, "Grand Hall", "Bristol", "1 Quay");
    private static readonly DateTimeOffset March = new(2030, 3, 1, 20, 0, 0, TimeSpan.Zero);

    private const string Created = """{"_index":"events","_id":"101","_version":2,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1}""";
    private const string Conflict = """{"error":{"root_cause":[{"type":"version_conflict_engine_exception","reason":"[101]: version conflict, current version [2] is higher or equal to the one provided [1]","index_uuid":"nPq3hV1sS2O1lq9-3e6P4Q","shard":"0","index":"events"}],"type":"version_conflict_engine_exception","reason":"[101]: version conflict, current version [2] is higher or equal to the one provided [1]","index_uuid":"nPq3hV1sS2O1lq9-3e6P4Q","shard":"0","index":"events"},"status":409}""";
    private const string IndexCreated = """{"acknowledged":true,"shards_acknowledged":true,"index":"events"}""";
    private const string SearchResponse = """
        {"took":4,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},
         "hits":{"total":{"value":2,"relation":"eq"},"max_score":null,"hits":[
           {"_index":"events","_id":"101","_score":3.1,"_source":{"performers":[{"performer_id":7,"name":"Quasar Orchestra"}],"venue":{"venue_id":11,"name":"Grand Hall","city":"Bristol","address":"1 Quay"},"event_name":"Quasar Orchestra Live","event_id":101,"starts_at":"2030-03-01T20:00:00+00:00"},"sort":[3.1,1898625600000]},
           {"_index":"events","_id":"102","_score":2.4,"_source":{"performers":[{"performer_id":7,"name":"Quasar Orchestra"},{"performer_id":8,"name":"Comet Trio"}],"venue":{"venue_id":11,"name":"Grand Hall","city":"Bristol","address":"1 Quay"},"event_name":"Quasar Orchestra Encore","event_id":102,"starts_at":"2030-03-08T20:00:00+00:00"},"sort":[2.4,1899230400000]}]},
         "aggregations":{
           "city":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"Bristol","doc_count":2}]},
           "performer":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"7|Quasar Orchestra","doc_count":2},{"key":"8|Comet Trio","doc_count":1}]}}}
        """;

    [Fact]
    public async Task Upsert_creates_the_index_with_its_mapping_once_and_sends_the_external_version()
    {
        var elastic = new RecordedElasticsearch((method, path) => (method, path) switch
        {
            ("HEAD", "/events") => (404, ""),
            ("PUT", "/events") => (200, IndexCreated),
            ("PUT", _) => (201, Created),
            _ => (500, "{}"),
        });
        var index = new ElasticsearchEventIndex(elastic.Client());

        Assert.True(await index.UpsertAsync(Doc(101, version: 2), default));
        Assert.True(await index.UpsertAsync(Doc(102, version: 1), default));

        Assert.Equal(["HEAD /events", "PUT /events", "PUT /events/_doc/101?version=2&version_type=external", "PUT /events/_doc/102?version=1&version_type=external"],
            elastic.Requests.Select(r => $"{r.Method} {r.Path}"));
        var mapping = JsonNode.Parse(elastic.Requests[1].Body!)!["mappings"]!["properties"]!;
        Assert.Equal("date", mapping["starts_at"]!["type"]!.GetValue<string>());
        Assert.Equal("keyword", mapping["performer_facet"]!["type"]!.GetValue<string>());
        var source = JsonNode.Parse(elastic.Requests[2].Body!)!;
        Assert.Equal("Quasar Orchestra Live", source["event_name"]!.GetValue<string>());
        Assert.Equal("bristol", source["city_normalized"]!.GetValue<string>());
        Assert.Equal("7|Quasar Orchestra", source["performer_facet"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_version_conflict_means_an_equal_or_newer_version_is_indexed()
    {
        var elastic = new RecordedElasticsearch((method, path) => (method, path) switch
        {
            ("HEAD", "/events") => (200, ""),
            _ => (409, Conflict),
        });
        var index = new ElasticsearchEventIndex(elastic.Client());

        Assert.False(await index.UpsertAsync(Doc(101, version: 1), default));
    }

    [Fact]
    public async Task Search_sends_fuzzy_all_words_query_filters_sort_aggregations_and_reads_hits_and_facets()
    {
        var elastic = new RecordedElasticsearch((_, _) => (200, SearchResponse));
        var index = new ElasticsearchEventIndex(elastic.Client());

        var result = await index.SearchAsync(new EventSearchQuery("Quasr Orchestra", 11, 7, " Bristol ", March, March.AddDays(30), 2, 10), default);

        var (method, path, body) = Assert.Single(elastic.Requests);
        Assert.Equal(("POST", "/events/_search"), (method, path));
        var request = JsonNode.Parse(body!)!;
        Assert.Equal(10, request["from"]!.GetValue<int>());
        Assert.Equal(10, request["size"]!.GetValue<int>());
        var multiMatch = request["query"]!["bool"]!["must"]!["multi_match"]!;
        Assert.Equal("Quasr Orchestra", multiMatch["query"]!.GetValue<string>());
        Assert.Equal("AUTO", multiMatch["fuzziness"]!.GetValue<string>());
        Assert.Equal("and", multiMatch["operator"]!.GetValue<string>());
        var filters = request["query"]!["bool"]!["filter"]!.AsArray().Select(f => f!.ToJsonString()).ToList();
        Assert.Contains("""{"term":{"venue.venue_id":11}}""", filters);
        Assert.Contains("""{"term":{"performers.performer_id":7}}""", filters);
        Assert.Contains("""{"term":{"city_normalized":"bristol"}}""", filters);
        Assert.Contains("""{"range":{"starts_at":{"gte":"2030-03-01T20:00:00.0000000Z","lte":"2030-03-31T20:00:00.0000000Z"}}}""", filters);
        Assert.Equal("""["_score",{"starts_at":{"order":"asc"}}]""", request["sort"]!.ToJsonString());
        Assert.Equal("venue.city.keyword", request["aggs"]!["city"]!["terms"]!["field"]!.GetValue<string>());

        Assert.Equal(2, result.Total);
        Assert.Equal([101L, 102L], result.Items.Select(i => i.EventId));
        Assert.Equal(March, result.Items[0].StartsAt);
        Assert.Equal("Grand Hall", result.Items[0].Venue.Name);
        Assert.Equal([new FacetValue("Bristol", 2)], result.Facets.City);
        Assert.Equal([new PerformerFacetValue(7, "Quasar Orchestra", 2), new PerformerFacetValue(8, "Comet Trio", 1)], result.Facets.Performer);
    }

    [Fact]
    public async Task Without_words_search_matches_all_and_sorts_by_date_only()
    {
        var elastic = new RecordedElasticsearch((_, _) => (200, SearchResponse));
        var index = new ElasticsearchEventIndex(elastic.Client());

        await index.SearchAsync(new EventSearchQuery(null, null, null, null, null, null, 1, 20), default);

        var request = JsonNode.Parse(elastic.Requests[0].Body!)!;
        Assert.NotNull(request["query"]!["bool"]!["must"]!["match_all"]);
        Assert.Empty(request["query"]!["bool"]!["filter"]!.AsArray());
        Assert.Equal("""[{"starts_at":{"order":"asc"}}]""", request["sort"]!.ToJsonString());
    }

    [Fact]
    public async Task Reindex_sends_bulk_ndjson_with_external_gte_versions()
    {
        var elastic = new RecordedElasticsearch((method, path) => (method, path) switch
        {
            ("HEAD", "/events") => (200, ""),
            ("POST", "/_bulk") => (200, """{"took":12,"errors":false,"items":[{"index":{"_index":"events","_id":"1","_version":3,"result":"updated","status":200}},{"index":{"_index":"events","_id":"2","_version":1,"result":"created","status":201}}]}"""),
            _ => (500, "{}"),
        });
        var index = new ElasticsearchEventIndex(elastic.Client());

        var count = await index.ReplaceAllAsync(new[] { Doc(1, version: 3), Doc(2, version: 1) }.ToAsyncEnumerable(), default);

        Assert.Equal(2, count);
        var lines = elastic.Requests.Single(r => r.Path == "/_bulk").Body!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("""{"index":{"_index":"events","_id":"1","version":3,"version_type":"external_gte"}}""", lines[0]);
        Assert.Equal(1, JsonNode.Parse(lines[1])!["event_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Empty_index_detection_and_errors_are_not_swallowed()
    {
        var missing = new ElasticsearchEventIndex(new RecordedElasticsearch((_, _) => (404, """{"error":{"type":"index_not_found_exception"},"status":404}""")).Client());
        var filled = new ElasticsearchEventIndex(new RecordedElasticsearch((_, _) => (200, """{"count":3,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}}""")).Client());
        var broken = new ElasticsearchEventIndex(new RecordedElasticsearch((_, _) => (400, """{"error":{"type":"search_phase_execution_exception"},"status":400}""")).Client());

        Assert.True(await missing.IsEmptyAsync(default));
        Assert.False(await filled.IsEmptyAsync(default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => broken.SearchAsync(new EventSearchQuery("x", null, null, null, null, null, 1, 20), default));
    }

    private static EventDocument Doc(long id, long version) =>
        new(id, version, "Quasar Orchestra Live", "A night of music", March, March.AddHours(2), "scheduled", Hall,
            [new PerformerSummary(7, "Quasar Orchestra")]);
}
