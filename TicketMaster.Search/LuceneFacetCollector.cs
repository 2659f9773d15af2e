using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace TicketMaster.Search;

// Counts city and performer values over every hit from doc values (Lucene.Net.Facet is not served here).
// Counting happens per segment by ordinal; ordinals become strings once per segment.
internal sealed class LuceneFacetCollector : ICollector
{
    private readonly Dictionary<string, long> _cities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _performers = new(StringComparer.Ordinal);
    private SortedDocValues? _city;
    private SortedSetDocValues? _performer;
    private long[] _cityCounts = [];
    private long[] _performerCounts = [];

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        FlushSegment();
        _city = context.AtomicReader.GetSortedDocValues(LuceneEventFields.CityFacet);
        _performer = context.AtomicReader.GetSortedSetDocValues(LuceneEventFields.PerformerFacet);
        _cityCounts = new long[_city?.ValueCount ?? 0];
        _performerCounts = new long[_performer?.ValueCount ?? 0];
    }

    public void Collect(int doc)
    {
        if (_city is not null)
        {
            var ord = _city.GetOrd(doc);
            if (ord >= 0)
            {
                _cityCounts[ord]++;
            }
        }
        if (_performer is not null)
        {
            _performer.SetDocument(doc);
            for (var ord = _performer.NextOrd(); ord != SortedSetDocValues.NO_MORE_ORDS; ord = _performer.NextOrd())
            {
                _performerCounts[ord]++;
            }
        }
    }

    public EventSearchFacets Result(int top)
    {
        FlushSegment();
        return new EventSearchFacets(
            Top(_cities, top).Select(c => new FacetValue(c.Key, c.Value)).ToList(),
            Top(_performers, top).Select(p =>
            {
                var performer = LuceneEventFields.DecodePerformer(p.Key);
                return new PerformerFacetValue(performer.PerformerId, performer.Name, p.Value);
            }).ToList());
    }

    private static IEnumerable<KeyValuePair<string, long>> Top(Dictionary<string, long> counts, int top) =>
        counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(top);

    private void FlushSegment()
    {
        var bytes = new BytesRef();
        for (var ord = 0; ord < _cityCounts.Length; ord++)
        {
            if (_cityCounts[ord] > 0)
            {
                _city!.LookupOrd(ord, bytes);
                var key = bytes.Utf8ToString();
                _cities[key] = _cities.GetValueOrDefault(key) + _cityCounts[ord];
            }
        }
        for (var ord = 0; ord < _performerCounts.Length; ord++)
        {
            if (_performerCounts[ord] > 0)
            {
                _performer!.LookupOrd(ord, bytes);
                var key = bytes.Utf8ToString();
                _performers[key] = _performers.GetValueOrDefault(key) + _performerCounts[ord];
            }
        }
        _cityCounts = [];
        _performerCounts = [];
    }
}
