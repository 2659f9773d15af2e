using System.Globalization;
using System.Text;

namespace TicketMaster.BookingApi.Seats;

/// <summary>A section of the layout: its rows are <see cref="FirstRow"/>..<see cref="LastRow"/>, front to back.</summary>
public sealed record LayoutSection(long SectionId, string Name, long PriceCents, int FirstRow, int LastRow);

// The event's seats in the venue's order, as the seat index (HoldScripts.SeatIndex) lays them out: sections by id, each
// section's rows front to back (row labels in natural order: "2" before "10", "Z" before "AA"), each row's seats left
// to right by number. A seat's position is its row × Stride + its place in the row, so seats side by side have
// neighbouring positions. Derived from the seat list alone, which never changes, so every replica computes the same.
public sealed class SeatLayout
{
    private readonly Dictionary<long, int> _positions;

    private SeatLayout(int stride, IReadOnlyList<long[]> rows, IReadOnlyList<LayoutSection> sections, Dictionary<long, int> positions)
    {
        Stride = stride;
        Rows = rows;
        Sections = sections;
        _positions = positions;
    }

    /// <summary>Bits per row in the index: the longest row, rounded up to whole bytes.</summary>
    public int Stride { get; }

    /// <summary>Each row's seat ids, left to right.</summary>
    public IReadOnlyList<long[]> Rows { get; }

    public IReadOnlyList<LayoutSection> Sections { get; }

    /// <summary>Every seat of the event.</summary>
    public int SeatCount => _positions.Count;

    public static SeatLayout From(IEnumerable<SeatRow> seats)
    {
        var rows = new List<long[]>();
        var sections = new List<LayoutSection>();
        foreach (var section in seats.GroupBy(s => s.SectionId).OrderBy(g => g.Key))
        {
            var first = rows.Count;
            rows.AddRange(section.GroupBy(s => s.Row, StringComparer.Ordinal).OrderBy(g => g.Key, RowLabelOrder.Instance)
                .Select(row => row.OrderBy(s => s.Number).ThenBy(s => s.SeatId).Select(s => s.SeatId).ToArray()));
            sections.Add(new LayoutSection(section.Key, section.First().Section, section.Max(s => s.PriceCents), first, rows.Count - 1));
        }
        var stride = Math.Max(8, (rows.Count == 0 ? 0 : rows.Max(r => r.Length) + 7) / 8 * 8);
        var positions = new Dictionary<long, int>();
        for (var r = 0; r < rows.Count; r++)
        {
            for (var i = 0; i < rows[r].Length; i++)
            {
                positions[rows[r][i]] = r * stride + i;
            }
        }
        return new SeatLayout(stride, rows, sections, positions);
    }

    /// <summary>The seats as the index scripts take them: "seat:position" csv.</summary>
    public string Positions(IEnumerable<long> seatIds)
    {
        var csv = new StringBuilder();
        foreach (var seat in seatIds)
        {
            if (_positions.TryGetValue(seat, out var position))
            {
                csv.Append(csv.Length == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{seat}:{position}");
            }
        }
        return csv.ToString();
    }

    /// <summary>
    /// The rows best available chooses from, as "first-last" csv in order of preference: the sections in
    /// <paramref name="preference"/>'s order, only <paramref name="sectionId"/> when given, and only sections priced at
    /// most <paramref name="maxPriceCents"/>. Empty when no section qualifies.
    /// </summary>
    public string RowRanges(IEnumerable<LayoutSection> preference, long? sectionId, long? maxPriceCents) =>
        string.Join(',', preference
            .Where(s => (sectionId is null || s.SectionId == sectionId) && (maxPriceCents is null || s.PriceCents <= maxPriceCents))
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.FirstRow}-{s.LastRow}")));

    /// <summary>
    /// The order of sections for best available: the owner's <paramref name="order"/> first, then the rest by price,
    /// dearest first (the seats a venue prices highest are the ones it holds best), then by name.
    /// </summary>
    public IReadOnlyList<LayoutSection> Preference(IReadOnlyList<long>? order)
    {
        var ranks = (order ?? []).Select((section, rank) => (section, rank)).ToDictionary(p => p.section, p => p.rank);
        return Sections.OrderBy(s => ranks.TryGetValue(s.SectionId, out var rank) ? rank : int.MaxValue)
            .ThenByDescending(s => s.PriceCents).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    // Row labels as a venue numbers them: numbers by value, letters by length then alphabet ("Z" before "AA"), numbers
    // before letters.
    private sealed class RowLabelOrder : IComparer<string>
    {
        public static readonly RowLabelOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var xNumber = long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var a);
            var yNumber = long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var b);
            if (xNumber && yNumber)
            {
                return a != b ? a.CompareTo(b) : string.CompareOrdinal(x, y);
            }
            if (xNumber != yNumber)
            {
                return xNumber ? -1 : 1;
            }
            return x!.Length != y!.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y);
        }
    }
}
