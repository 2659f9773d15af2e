using System.Diagnostics;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;

namespace TicketMaster.Search;

// Reads the index directory that the Indexer writes (EventsApi's side). A reader sees the commit it was
// opened on; it reopens at most every RefreshInterval, so new commits show within the 1 s freshness target.
public sealed class LuceneEventSearch : IEventSearch, IDisposable
{
    private static readonly long RefreshIntervalTicks = Stopwatch.Frequency / 10; // 100 ms
    private const int FacetSize = 10;

    private readonly FSDirectory _directory;
    private readonly Analyzer _analyzer = LuceneEventFields.CreateAnalyzer();
    private readonly System.Threading.Lock _openLock = new();
    private SearcherManager? _searchers;
    private long _lastRefresh;

    public LuceneEventSearch(string indexPath)
    {
        System.IO.Directory.CreateDirectory(indexPath);
        _directory = FSDirectory.Open(indexPath);
    }

    public Task<EventSearchResult> SearchAsync(EventSearchQuery query, CancellationToken cancellationToken)
    {
        var searchers = GetSearchers();
        if (searchers is null)
        {
            // The Indexer has not written its first commit yet.
            return Task.FromResult(new EventSearchResult([], 0, query.Page, query.PageSize, new EventSearchFacets([], [])));
        }

        var searcher = searchers.Acquire();
        try
        {
            return Task.FromResult(Search(searcher, query));
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    private EventSearchResult Search(IndexSearcher searcher, EventSearchQuery query)
    {
        var lucene = LuceneQueryBuilder.Build(query, _analyzer);
        var window = query.Page * query.PageSize;
        // Relevance first, then the earliest date; without words to rank by, date order alone.
        var sort = string.IsNullOrWhiteSpace(query.Text)
            ? new Sort(new SortField(LuceneEventFields.StartsAtSort, SortFieldType.INT64))
            : new Sort(SortField.FIELD_SCORE, new SortField(LuceneEventFields.StartsAtSort, SortFieldType.INT64));
        var top = TopFieldCollector.Create(sort, window, fillFields: false, trackDocScores: false, trackMaxScore: false, docsScoredInOrder: false);
        var facets = new LuceneFacetCollector();
        searcher.Search(lucene, MultiCollector.Wrap(top, facets));

        var docs = top.GetTopDocs((query.Page - 1) * query.PageSize, query.PageSize);
        var items = docs.ScoreDocs.Select(hit => LuceneEventFields.ReadSummary(searcher.Doc(hit.Doc))).ToList();
        return new EventSearchResult(items, top.TotalHits, query.Page, query.PageSize, facets.Result(FacetSize));
    }

    private SearcherManager? GetSearchers()
    {
        var searchers = _searchers;
        if (searchers is null)
        {
            lock (_openLock)
            {
                if (_searchers is null && DirectoryReader.IndexExists(_directory))
                {
                    _searchers = new SearcherManager(_directory, new SearcherFactory());
                    _lastRefresh = Stopwatch.GetTimestamp();
                }
                return _searchers;
            }
        }

        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastRefresh);
        if (now - last > RefreshIntervalTicks && Interlocked.CompareExchange(ref _lastRefresh, now, last) == last)
        {
            searchers.MaybeRefresh();
        }
        return searchers;
    }

    public void Dispose()
    {
        _searchers?.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }
}
