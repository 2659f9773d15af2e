using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using TicketMaster.Messaging;

namespace TicketMaster.Search;

// The Indexer's single IndexWriter (Lucene allows one per directory; Kubernetes runs one Indexer replica).
// Each upsert commits before it returns, so the caller acks the message only once the change is durable.
public sealed class LuceneEventIndexWriter : IEventIndexWriter, IDisposable
{
    private const int ReindexCommitEvery = 50_000;

    private readonly FSDirectory _directory;
    private readonly Analyzer _analyzer = LuceneEventFields.CreateAnalyzer();
    private readonly IndexWriter _writer;
    private readonly SearcherManager _versions;
    private readonly System.Threading.Lock _lock = new();

    public LuceneEventIndexWriter(string indexPath)
    {
        System.IO.Directory.CreateDirectory(indexPath);
        _directory = FSDirectory.Open(indexPath);
        _writer = new IndexWriter(_directory, new IndexWriterConfig(LuceneEventFields.Version, _analyzer)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
        });
        // An empty first commit lets readers open the index before any event exists.
        _writer.Commit();
        _versions = new SearcherManager(_writer, applyAllDeletes: true, new SearcherFactory());
    }

    public Task<bool> UpsertAsync(EventDocument document, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Messages can arrive twice or out of order; the version decides (older never overwrites newer).
            if (IndexedVersion(document.EventId) is { } indexed && indexed >= document.Version)
            {
                return Task.FromResult(false);
            }
            _writer.UpdateDocument(new Term(LuceneEventFields.EventId, LuceneEventFields.Id(document.EventId)), LuceneEventFields.ToLucene(document));
            _writer.Commit();
            _versions.MaybeRefreshBlocking();
            return Task.FromResult(true);
        }
    }

    public async Task<long> ReplaceAllAsync(IAsyncEnumerable<EventDocument> documents, CancellationToken cancellationToken)
    {
        // Readers keep serving the last commit until the rebuilt index is committed.
        var count = 0L;
        lock (_lock)
        {
            _writer.DeleteAll();
        }
        try
        {
            await foreach (var document in documents.WithCancellation(cancellationToken))
            {
                lock (_lock)
                {
                    _writer.AddDocument(LuceneEventFields.ToLucene(document));
                }
                if (++count % ReindexCommitEvery == 0)
                {
                    // Bounded memory for huge catalogs; readers then briefly see a partial index.
                    lock (_lock)
                    {
                        _writer.Commit();
                    }
                }
            }
        }
        catch
        {
            lock (_lock)
            {
                _writer.Rollback();
            }
            throw;
        }
        lock (_lock)
        {
            _writer.Commit();
            _versions.MaybeRefreshBlocking();
        }
        return count;
    }

    public Task<bool> IsEmptyAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_writer.NumDocs == 0);
        }
    }

    private long? IndexedVersion(long eventId)
    {
        var searcher = _versions.Acquire();
        try
        {
            var hits = searcher.Search(new TermQuery(new Term(LuceneEventFields.EventId, LuceneEventFields.Id(eventId))), 1);
            return hits.TotalHits == 0
                ? null
                : searcher.Doc(hits.ScoreDocs[0].Doc).GetField(LuceneEventFields.DocumentVersion).GetInt64Value();
        }
        finally
        {
            _versions.Release(searcher);
        }
    }

    public void Dispose()
    {
        _versions.Dispose();
        _writer.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }
}
