using System.Globalization;
using System.Text.Json;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Util;
using TicketMaster.Messaging;

namespace TicketMaster.Search;

// How an EventDocument maps onto Lucene fields; shared by the Indexer (writer) and EventsApi (reader).
internal static class LuceneEventFields
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public const string EventId = "event_id";
    public const string DocumentVersion = "version";
    public const string Summary = "summary";
    public const string Name = "name";
    public const string Description = "description";
    public const string Performers = "performers";
    public const string VenueName = "venue_name";
    public const string CityText = "city_text";
    public const string City = "city";
    public const string VenueId = "venue_id";
    public const string PerformerId = "performer_id";
    public const string StartsAt = "starts_at";
    public const string StartsAtSort = "starts_at_sort";
    public const string CityFacet = "city_facet";
    public const string PerformerFacet = "performer_facet";
    public const string Status = "status";

    /// <summary>Full-text fields and their weight: a match in the event name counts most.</summary>
    public static readonly (string Field, float Boost)[] TextFields =
        [(Name, 4f), (Performers, 3f), (VenueName, 2f), (CityText, 1.5f), (Description, 1f)];

    public static Analyzer CreateAnalyzer() => new StandardAnalyzer(Version);

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    public static long Ticks(DateTimeOffset time) => time.UtcTicks;

    public static string NormalizeCity(string city) => city.Trim().ToLowerInvariant();

    public static Document ToLucene(EventDocument e)
    {
        var summary = new EventSearchHit(e.EventId, e.EventName, e.StartsAt, e.Venue, e.Performers, e.Status);
        var document = new Document
        {
            new StringField(EventId, Id(e.EventId), Field.Store.YES),
            new StoredField(DocumentVersion, e.Version),
            new StoredField(Summary, JsonSerializer.Serialize(summary, MessageJson.Options)),
            new TextField(Name, e.EventName, Field.Store.NO),
            new TextField(Description, e.Description, Field.Store.NO),
            new TextField(Performers, string.Join(" | ", e.Performers.Select(p => p.Name)), Field.Store.NO),
            new TextField(VenueName, e.Venue.Name, Field.Store.NO),
            new TextField(CityText, e.Venue.City, Field.Store.NO),
            new StringField(City, NormalizeCity(e.Venue.City), Field.Store.NO),
            new StringField(VenueId, Id(e.Venue.VenueId), Field.Store.NO),
            new StringField(Status, e.Status, Field.Store.NO),
            new Int64Field(StartsAt, Ticks(e.StartsAt), Field.Store.NO),
            new NumericDocValuesField(StartsAtSort, Ticks(e.StartsAt)),
            new SortedDocValuesField(CityFacet, new BytesRef(e.Venue.City)),
        };
        foreach (var performer in e.Performers)
        {
            document.Add(new StringField(PerformerId, Id(performer.PerformerId), Field.Store.NO));
            document.Add(new SortedSetDocValuesField(PerformerFacet, new BytesRef(EncodePerformer(performer))));
        }
        return document;
    }

    public static EventSearchHit ReadSummary(Document document) =>
        JsonSerializer.Deserialize<EventSearchHit>(document.Get(Summary), MessageJson.Options)!;

    // Facet values carry the id and the name so the response can offer both.
    private static string EncodePerformer(PerformerSummary performer) => $"{Id(performer.PerformerId)}|{performer.Name}";

    public static PerformerSummary DecodePerformer(string value)
    {
        var separator = value.IndexOf('|', StringComparison.Ordinal);
        return new PerformerSummary(long.Parse(value[..separator], CultureInfo.InvariantCulture), value[(separator + 1)..]);
    }
}
