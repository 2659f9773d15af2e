using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.Tests.Search;

// The embedded Lucene backend on its own (no AppHost): writer and reader on one temporary directory,
// as the Indexer and EventsApi use it.
public sealed class LuceneEventIndexTests : IDisposable
{
    private static readonly VenueSummary Hall = new(11, "Grand Hall", "Bristol", "1 Quay");
    private static readonly VenueSummary Club = new(12, "Small Club", "Cardiff", "2 Lane");
    private static readonly DateTimeOffset March = new(2030, 3, 1, 20, 0, 0, TimeSpan.Zero);

    private readonly string _path = Directory.CreateTempSubdirectory("ticketmaster-lucene-").FullName;

    [Fact]
    public async Task Without_words_results_come_in_date_order()
    {
        using var writer = new LuceneEventIndexWriter(_path);
        await writer.UpsertAsync(Doc(3, "Late show", March.AddDays(20), Hall), default);
        await writer.UpsertAsync(Doc(1, "Early show", March, Hall), default);
        await writer.UpsertAsync(Doc(2, "Middle show", March.AddDays(10), Club), default);
        using var search = new LuceneEventSearch(_path);

        var all = await search.SearchAsync(Query(), default);
        var inHall = await search.SearchAsync(Query() with { VenueId = Hall.VenueId }, default);

        Assert.Equal([1L, 2L, 3L], all.Items.Select(i => i.EventId));
        Assert.Equal([1L, 3L], inHall.Items.Select(i => i.EventId));
    }

    [Fact]
    public async Task An_older_or_equal_version_is_not_applied()
    {
        using var writer = new LuceneEventIndexWriter(_path);

        Assert.True(await writer.UpsertAsync(Doc(1, "Second name", March, Hall, version: 2), default));
        Assert.False(await writer.UpsertAsync(Doc(1, "First name", March, Hall, version: 1), default));
        Assert.False(await writer.UpsertAsync(Doc(1, "Second name", March, Hall, version: 2), default));
        using var search = new LuceneEventSearch(_path);

        Assert.Equal("Second name", Assert.Single((await search.SearchAsync(Query(), default)).Items).EventName);
    }

    [Fact]
    public async Task Reindex_replaces_everything()
    {
        using var writer = new LuceneEventIndexWriter(_path);
        await writer.UpsertAsync(Doc(1, "Gone", March, Hall), default);

        var count = await writer.ReplaceAllAsync(new[] { Doc(5, "Kept", March, Club), Doc(6, "Also kept", March, Club) }.ToAsyncEnumerable(), default);
        using var search = new LuceneEventSearch(_path);

        Assert.Equal(2, count);
        Assert.Equal([5L, 6L], (await search.SearchAsync(Query(), default)).Items.Select(i => i.EventId).Order());
    }

    private static EventSearchQuery Query() => new(null, null, null, null, null, null, 1, 20);

    private static EventDocument Doc(long id, string name, DateTimeOffset startsAt, VenueSummary venue, long version = 1) =>
        new(id, version, name, "", startsAt, startsAt.AddHours(2), "scheduled", venue, [new PerformerSummary(100 + id, $"Act {id}")]);

    public void Dispose() => Directory.Delete(_path, recursive: true);
}
