using System.Text.Json;

namespace TicketMaster.Onsale;

/// <summary>
/// What the fans' browsers show: every seat's state as the seat stream tells it (several SSE clients feed the same
/// board; deltas are states, so applying one twice is harmless). Fans pick seats from it.
/// </summary>
public sealed class SeatBoard
{
    public const byte Available = 0, Held = 1, Sold = 2;

    private readonly long[] _ids;
    private readonly Dictionary<long, int> _index;
    private readonly byte[] _state;
    private readonly List<int> _available;
    private readonly int[] _availablePosition;
    private int _held, _sold;

    public SeatBoard(IReadOnlyList<long> seatIds)
    {
        _ids = [.. seatIds];
        _index = _ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        _state = new byte[_ids.Length];
        _available = Enumerable.Range(0, _ids.Length).ToList();
        _availablePosition = Enumerable.Range(0, _ids.Length).ToArray();
    }

    public int Capacity => _ids.Length;
    public int HeldCount { get { lock (_state) { return _held; } } }
    public int SoldCount { get { lock (_state) { return _sold; } } }
    public int AvailableCount { get { lock (_state) { return _available.Count; } } }
    public bool SoldOut => SoldCount == Capacity;

    /// <summary>Applies one seat-stream event (snapshot or delta).</summary>
    public void Apply(SseEvent message)
    {
        using var document = JsonDocument.Parse(message.Data);
        var root = document.RootElement;
        lock (_state)
        {
            if (message.Type == "snapshot")
            {
                var held = root.GetProperty("held").EnumerateArray().Select(s => s.GetInt64()).ToHashSet();
                var sold = root.GetProperty("sold").EnumerateArray().Select(s => s.GetInt64()).ToHashSet();
                foreach (var id in _ids)
                {
                    Set(id, sold.Contains(id) ? Sold : held.Contains(id) ? Held : Available);
                }
                return;
            }
            if (!root.TryGetProperty("seat_ids", out var seats))
            {
                return;
            }
            foreach (var seat in seats.EnumerateArray())
            {
                var id = seat.GetInt64();
                switch (message.Type)
                {
                    case "held": Set(id, Held); break;
                    case "sold": Set(id, Sold); break;
                    case "released" or "expired": Set(id, Available); break;
                }
            }
        }
    }

    /// <summary>Up to <paramref name="count"/> distinct seats that look available now.</summary>
    public List<long> Pick(int count, Random random)
    {
        lock (_state)
        {
            var picked = new HashSet<long>();
            for (var attempt = 0; picked.Count < Math.Min(count, _available.Count) && attempt < count * 4; attempt++)
            {
                picked.Add(_ids[_available[random.Next(_available.Count)]]);
            }
            return [.. picked];
        }
    }

    // Called under the lock. A sold seat never becomes anything else (a late "expired" for it changes nothing).
    private void Set(long id, byte state)
    {
        if (!_index.TryGetValue(id, out var i) || _state[i] == state || _state[i] == Sold)
        {
            return;
        }
        if (_state[i] == Available)
        {
            RemoveAvailable(i);
        }
        _held += (state == Held ? 1 : 0) - (_state[i] == Held ? 1 : 0);
        _sold += state == Sold ? 1 : 0;
        _state[i] = state;
        if (state == Available)
        {
            _availablePosition[i] = _available.Count;
            _available.Add(i);
        }
    }

    private void RemoveAvailable(int i)
    {
        var position = _availablePosition[i];
        var last = _available[^1];
        _available[position] = last;
        _availablePosition[last] = position;
        _available.RemoveAt(_available.Count - 1);
    }
}
