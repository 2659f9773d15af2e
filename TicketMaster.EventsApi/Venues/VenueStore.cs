using System.Text;
using MySqlConnector;
using TicketMaster.Data;
using TicketMaster.ServiceDefaults;
using TicketMaster.Messaging;
using TicketMaster.Search;

namespace TicketMaster.EventsApi.Venues;

public sealed class VenueStore(MySqlDataSource dataSource)
{
    // Multi-row INSERTs: a 50,000-seat stadium is 50 statements, not 50,000 round trips.
    private const int SeatsPerInsert = 1_000;

    /// <summary>Most venues one organizer's list shows (newest first).</summary>
    public const int MaxListed = 200;

    /// <summary>The organizer's own venues with their sections and seat counts.</summary>
    public async Task<List<VenueResponse>> OwnedByAsync(string ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT v.venue_id, v.name, v.city, v.address, s.section_id, s.name,
                   (SELECT COUNT(*) FROM seat WHERE seat.section_id = s.section_id)
            FROM (SELECT venue_id, name, city, address FROM venue WHERE owner_id = @owner ORDER BY venue_id DESC LIMIT @limit) v
            JOIN section s ON s.venue_id = v.venue_id
            ORDER BY v.name, v.venue_id, s.section_id
            """, connection);
        command.Parameters.AddWithValue("@owner", ownerId);
        command.Parameters.AddWithValue("@limit", MaxListed);
        var venues = new List<(long Id, string Name, string City, string Address, List<SectionResponse> Sections)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (venues.Count == 0 || venues[^1].Id != id)
            {
                venues.Add((id, reader.GetString(1), reader.GetString(2), reader.GetString(3), []));
            }
            venues[^1].Sections.Add(new SectionResponse(reader.GetInt64(4), reader.GetString(5), reader.GetInt32(6)));
        }
        return venues.Select(v => new VenueResponse(v.Id, v.Name, v.City, v.Address, v.Sections)).ToList();
    }

    public async Task<VenueResponse> CreateAsync(CreateVenueRequest request, string ownerId, CancellationToken cancellationToken)
    {
        var venueId = Ids.New();
        var (name, city, address) = (request.Name!.Trim(), request.City!.Trim(), request.Address!.Trim());

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var insertVenue = new MySqlCommand(
            "INSERT INTO venue (venue_id, owner_id, name, city, address) VALUES (@id, @owner, @name, @city, @address)", connection, transaction))
        {
            insertVenue.Parameters.AddWithValue("@id", venueId);
            insertVenue.Parameters.AddWithValue("@owner", ownerId);
            insertVenue.Parameters.AddWithValue("@name", name);
            insertVenue.Parameters.AddWithValue("@city", city);
            insertVenue.Parameters.AddWithValue("@address", address);
            await insertVenue.ExecuteNonQueryAsync(cancellationToken);
        }

        var sections = new List<SectionResponse>();
        var seats = new List<(long SeatId, long SectionId, string Row, int Number)>();
        foreach (var section in request.Sections!)
        {
            var sectionId = Ids.New();
            await using var insertSection = new MySqlCommand(
                "INSERT INTO section (section_id, venue_id, name) VALUES (@id, @venue, @name)", connection, transaction);
            insertSection.Parameters.AddWithValue("@id", sectionId);
            insertSection.Parameters.AddWithValue("@venue", venueId);
            insertSection.Parameters.AddWithValue("@name", section.Name!.Trim());
            await insertSection.ExecuteNonQueryAsync(cancellationToken);

            var count = 0;
            foreach (var row in section.Rows!)
            {
                for (var number = 1; number <= row.Seats; number++)
                {
                    seats.Add((Ids.New(), sectionId, row.Label!.Trim(), number));
                }
                count += row.Seats;
            }
            sections.Add(new SectionResponse(sectionId, section.Name.Trim(), count));
        }

        foreach (var chunk in seats.Chunk(SeatsPerInsert))
        {
            await InsertSeatsAsync(transaction, venueId, chunk, cancellationToken);
        }

        // Nobody needs a venue on its own: it reaches the index (and the sale) inside the events held there.
        await transaction.CommitAsync(cancellationToken);

        return new VenueResponse(venueId, name, city, address, sections);
    }

    private static async Task InsertSeatsAsync(MySqlTransaction transaction, long venueId,
        (long SeatId, long SectionId, string Row, int Number)[] seats, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("INSERT INTO seat (seat_id, venue_id, section_id, row_label, seat_number) VALUES ");
        await using var command = new MySqlCommand { Connection = transaction.Connection, Transaction = transaction };
        for (var i = 0; i < seats.Length; i++)
        {
            // Ids and numbers are ours; only the row label comes from the request, so only it is a parameter.
            sql.Append(i == 0 ? "" : ",").Append($"({seats[i].SeatId},{venueId},{seats[i].SectionId},@r{i},{seats[i].Number})");
            command.Parameters.AddWithValue($"@r{i}", seats[i].Row);
        }
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
