using System.Globalization;

namespace TicketMaster.BookingApi.Seats;

/// <summary>A Redis stream entry id ("millis-sequence"): the seat stream's SSE event id, ordered.</summary>
public readonly record struct StreamPosition(long Milliseconds, long Sequence) : IComparable<StreamPosition>
{
    public static readonly StreamPosition Start = new(0, 0);

    public static StreamPosition Parse(string id) =>
        TryParse(id, out var position) ? position : throw new FormatException($"not a stream id: {id}");

    public static bool TryParse(string? id, out StreamPosition position)
    {
        position = Start;
        var dash = id?.IndexOf('-') ?? -1;
        if (dash <= 0
            || !long.TryParse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }
        position = new StreamPosition(ms, seq);
        return true;
    }

    public int CompareTo(StreamPosition other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public static bool operator >(StreamPosition a, StreamPosition b) => a.CompareTo(b) > 0;
    public static bool operator <(StreamPosition a, StreamPosition b) => a.CompareTo(b) < 0;
    public static bool operator >=(StreamPosition a, StreamPosition b) => a.CompareTo(b) >= 0;
    public static bool operator <=(StreamPosition a, StreamPosition b) => a.CompareTo(b) <= 0;

    public override string ToString() => $"{Milliseconds.ToString(CultureInfo.InvariantCulture)}-{Sequence.ToString(CultureInfo.InvariantCulture)}";
}
