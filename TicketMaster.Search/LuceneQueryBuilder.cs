using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;
using static TicketMaster.Search.LuceneEventFields;

namespace TicketMaster.Search;

internal static class LuceneQueryBuilder
{
    public const string CancelledStatus = "cancelled";

    // Every word of the query must match some field, exactly or within a small edit distance
    // ("Quasr Orchestra" finds "Quasar Orchestra"); exact matches score above fuzzy ones.
    public static Query Build(EventSearchQuery query, Analyzer analyzer)
    {
        var text = new BooleanQuery();
        foreach (var token in Tokenize(analyzer, query.Text))
        {
            var anyField = new BooleanQuery();
            var maxEdits = token.Length switch { <= 3 => 0, <= 6 => 1, _ => 2 };
            foreach (var (field, boost) in TextFields)
            {
                anyField.Add(new TermQuery(new Term(field, token)) { Boost = boost * 2 }, Occur.SHOULD);
                if (maxEdits > 0)
                {
                    // prefixLength 1: a typo in the first letter is rare, and it keeps fuzzy expansion cheap.
                    anyField.Add(new FuzzyQuery(new Term(field, token), maxEdits, prefixLength: 1) { Boost = boost }, Occur.SHOULD);
                }
            }
            text.Add(anyField, Occur.MUST);
        }

        Query scored = text.Clauses.Count == 0 ? new MatchAllDocsQuery() : text;

        var filters = new BooleanQuery();
        if (query.VenueId is { } venueId)
        {
            filters.Add(new TermQuery(new Term(VenueId, Id(venueId))), Occur.MUST);
        }
        if (query.PerformerId is { } performerId)
        {
            filters.Add(new TermQuery(new Term(PerformerId, Id(performerId))), Occur.MUST);
        }
        if (!string.IsNullOrWhiteSpace(query.City))
        {
            filters.Add(new TermQuery(new Term(City, NormalizeCity(query.City))), Occur.MUST);
        }
        if (query.From is not null || query.To is not null)
        {
            filters.Add(NumericRangeQuery.NewInt64Range(StartsAt,
                query.From is { } from ? Ticks(from) : null,
                query.To is { } to ? Ticks(to) : null,
                minInclusive: true, maxInclusive: true), Occur.MUST);
        }

        if (!query.IncludeCancelled)
        {
            // A filter of only MUST_NOT clauses matches nothing: it restricts "everything".
            if (filters.Clauses.Count == 0)
            {
                filters.Add(new MatchAllDocsQuery(), Occur.MUST);
            }
            filters.Add(new TermQuery(new Term(Status, CancelledStatus)), Occur.MUST_NOT);
        }

        // Filters restrict without changing relevance.
        return filters.Clauses.Count == 0 ? scored : new FilteredQuery(scored, new QueryWrapperFilter(filters));
    }

    private static List<string> Tokenize(Analyzer analyzer, string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return tokens;
        }
        using var stream = analyzer.GetTokenStream(Name, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            tokens.Add(term.ToString());
        }
        stream.End();
        return tokens.Distinct().ToList();
    }
}
