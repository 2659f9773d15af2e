using System.Diagnostics;
using System.Globalization;
using System.Text;
using MySqlConnector;
using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.EventsApi.Dev;

public sealed record SeedRequest(int? Events, int? Seed);

public sealed record SeedResult(int Seed, int Venues, int Performers, int Events, long Seats, long EventSeats, long ElapsedMs);

// Deterministic demo/benchmark catalog: the same seed gives the same venues, performers and events (ids too).
// One 50,000-seat stadium, small venues in many cities, thousands of performers. Rows go in with multi-row
// INSERTs; the index is then rebuilt once through a reindex request instead of one message per event, and the sale
// reads each event's listing from the catalog's API when it first meets the event.
public sealed class SeedGenerator(MySqlDataSource dataSource, Outbox outbox, ILogger<SeedGenerator> logger)
{
    public const int StadiumSeats = 50_000;
    private const int SmallVenues = 300;
    private const int Performers = 2_000;
    private const int RowsPerInsert = 1_000;

    private static readonly string[] Cities =
    [
        "London", "Paris", "Berlin", "Madrid", "Rome", "Lisbon", "Dublin", "Amsterdam", "Vienna", "Prague",
        "Warsaw", "Stockholm", "Oslo", "Copenhagen", "Helsinki", "Zurich", "Brussels", "Athens", "Budapest", "Milan",
        "New York", "Chicago", "Austin", "Seattle", "Toronto", "Montreal", "Mexico City", "Sao Paulo", "Buenos Aires", "Tokyo",
    ];
    private static readonly string[] Adjectives =
        ["Crimson", "Silver", "Electric", "Midnight", "Golden", "Velvet", "Neon", "Wild", "Quiet", "Cosmic", "Northern", "Lunar", "Royal", "Broken", "Endless"];
    private static readonly string[] Nouns =
        ["Tide", "Echo", "Harbor", "Falcon", "Garden", "Signal", "Orbit", "River", "Lantern", "Comet", "Forest", "Engine", "Mirror", "Canyon", "Atlas"];
    private static readonly string[] Kinds =
        ["Orchestra", "Quartet", "Band", "Collective", "Choir", "Trio", "Ensemble", "Project", "Sound System", "Players"];
    private static readonly string[] Shows =
        ["Live", "World Tour", "Unplugged", "Anniversary Show", "Summer Nights", "Winter Gala", "Festival", "In Concert", "Farewell Tour", "Sessions"];

    public async Task<SeedResult> SeedAsync(int eventCount, int seed, string ownerId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        long NextId() => random.NextInt64(1, 1L << 53);

        var venues = new List<(long Id, string Name, string City, List<(long SectionId, string Name, int Rows, int SeatsPerRow)> Sections)>
        {
            (NextId(), "TicketMaster Stadium", "London",
                Enumerable.Range(1, 20).Select(s => (NextId(), $"Block {s}", 50, 50)).ToList()),
        };
        for (var v = 0; v < SmallVenues; v++)
        {
            var city = Cities[v % Cities.Length];
            venues.Add((NextId(), $"The {Pick(random, Adjectives)} {Pick(random, Nouns)} Hall", city,
                [(NextId(), "Floor", 1, 10), (NextId(), "Balcony", 1, 10)]));
        }
        var performers = Enumerable.Range(0, Performers)
            .Select(_ => (Id: NextId(), Name: $"{Pick(random, Adjectives)} {Pick(random, Nouns)} {Pick(random, Kinds)}"))
            .ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var seats = 0L;

        await InsertRowsAsync(connection, "venue (venue_id, owner_id, name, city, address)",
            venues.Select(v => $"({v.Id},{Quote(ownerId)},{Quote(v.Name)},{Quote(v.City)},{Quote($"{random.Next(1, 999)} Main Street")})"), cancellationToken);
        await InsertRowsAsync(connection, "section (section_id, venue_id, name)",
            venues.SelectMany(v => v.Sections.Select(s => $"({s.SectionId},{v.Id},{Quote(s.Name)})")), cancellationToken);
        var seatRows = new List<string>();
        foreach (var venue in venues)
        {
            foreach (var section in venue.Sections)
            {
                for (var row = 1; row <= section.Rows; row++)
                {
                    for (var number = 1; number <= section.SeatsPerRow; number++)
                    {
                        seatRows.Add($"({NextId()},{venue.Id},{section.SectionId},'{RowLabel(row)}',{number})");
                    }
                }
            }
        }
        seats = seatRows.Count;
        await InsertRowsAsync(connection, "seat (seat_id, venue_id, section_id, row_label, seat_number)", seatRows, cancellationToken);
        seatRows.Clear();
        await InsertRowsAsync(connection, "performer (performer_id, name)",
            performers.Select(p => $"({p.Id},{Quote(p.Name)})"), cancellationToken);

        var start = new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var eventSeats = 0L;
        for (var batchStart = 0; batchStart < eventCount; batchStart += RowsPerInsert)
        {
            var events = new List<string>();
            var eventPerformers = new List<string>();
            var ids = new List<long>();
            for (var i = batchStart; i < Math.Min(eventCount, batchStart + RowsPerInsert); i++)
            {
                // The first event fills the stadium; the rest play the small halls.
                var venue = i == 0 ? venues[0] : venues[1 + random.Next(SmallVenues)];
                var headliner = performers[random.Next(performers.Count)];
                var startsAt = start.AddMinutes(random.Next(0, 2 * 365 * 24 * 4) * 15);
                var id = NextId();
                ids.Add(id);
                eventSeats += venue.Sections.Sum(s => s.Rows * s.SeatsPerRow);
                events.Add(string.Create(CultureInfo.InvariantCulture,
                    $"({id},{Quote(ownerId)},{Quote($"{headliner.Name} {Pick(random, Shows)}")},{Quote($"{headliner.Name} at {venue.Name}, {venue.City}.")},{venue.Id},'{startsAt:yyyy-MM-dd HH:mm:ss}','{startsAt.AddHours(3):yyyy-MM-dd HH:mm:ss}','{startsAt.AddDays(-30):yyyy-MM-dd HH:mm:ss}')"));
                eventPerformers.Add($"({id},{headliner.Id})");
                var support = performers[random.Next(performers.Count)];
                if (support.Id != headliner.Id && random.Next(2) == 0)
                {
                    eventPerformers.Add($"({id},{support.Id})");
                }
            }
            await InsertRowsAsync(connection, "event (event_id, owner_id, name, description, venue_id, starts_at, ends_at, on_sale_at)", events, cancellationToken);
            await InsertRowsAsync(connection, "event_performer (event_id, performer_id)", eventPerformers, cancellationToken);
            await using var pricesInsert = new MySqlCommand($"""
                INSERT INTO event_price (event_id, section_id, price_cents)
                SELECT e.event_id, sc.section_id, 2500 + (sc.section_id % 4) * 1500
                FROM event e JOIN section sc ON sc.venue_id = e.venue_id
                WHERE e.event_id IN ({string.Join(',', ids)});
                INSERT INTO event_sales (event_id, seats_total)
                SELECT e.event_id, COUNT(*) FROM event e JOIN seat s ON s.venue_id = e.venue_id
                WHERE e.event_id IN ({string.Join(',', ids)}) GROUP BY e.event_id
                """, connection) { CommandTimeout = 600 };
            await pricesInsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await outbox.AppendAsync(transaction, "catalog", 0, new CatalogReindexRequested(DateTimeOffset.UtcNow), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        outbox.NotifyCommitted();

        logger.LogInformation("Seeded {Events} events, {Seats} seats, {EventSeats} event seats in {Elapsed}", eventCount, seats, eventSeats, clock.Elapsed);
        return new SeedResult(seed, venues.Count, performers.Count, eventCount, seats, eventSeats, clock.ElapsedMilliseconds);
    }

    private static async Task InsertRowsAsync(MySqlConnection connection, string into, IEnumerable<string> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(RowsPerInsert))
        {
            await using var command = new MySqlCommand($"INSERT INTO {into} VALUES {string.Join(',', chunk)}", connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string RowLabel(int row) => row <= 26 ? ((char)('A' + row - 1)).ToString() : $"A{(char)('A' + row - 27)}";

    // Generated text only (our word lists), but quoted properly all the same.
    private static string Quote(string value) => "'" + new StringBuilder(value).Replace("\\", "\\\\").Replace("'", "''") + "'";
}
