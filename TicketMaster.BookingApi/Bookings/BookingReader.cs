using MySqlConnector;
using TicketMaster.BookingApi.Caching;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.BookingApi.Seats;
using TicketMaster.Data;

namespace TicketMaster.BookingApi.Bookings;

// Builds the booking response (confirmation number, event details, check-in details) from the sale's tables.
public sealed class BookingReader(MySqlDataSource dataSource, TicketCodes codes, SeatCatalog catalog, SingleFlightCache cache)
{
    private static readonly TimeSpan GatesOpenBeforeStart = TimeSpan.FromHours(1);
    // An event's name, times, venue and performers as shown on a booking: a sale confirms thousands against one event.
    private static readonly TimeSpan EventDetailsFreshness = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The response of a confirm that just booked, from what the confirm already knows (the written ids, the
    /// event's cached details and seat labels) instead of reading the booking back.
    /// </summary>
    public async Task<BookingResponse> FromWriteAsync(BookingWrite write, WriteResult result, CancellationToken cancellationToken)
    {
        var eventId = write.Reservation.EventId;
        var details = await EventDetailsAsync(eventId, cancellationToken);
        var seats = await catalog.SeatRowsAsync(eventId, cancellationToken);
        var tickets = result.Tickets.Select(t => (Ticket: t, Seat: seats[t.SeatId]))
            .OrderBy(t => t.Seat.Section, StringComparer.Ordinal).ThenBy(t => t.Seat.Row, StringComparer.Ordinal).ThenBy(t => t.Seat.Number)
            .Select(t => new TicketResponse(t.Ticket.TicketId, new TicketSeat(t.Seat.SeatId, t.Seat.Section, t.Seat.Row, t.Seat.Number),
                t.Seat.PriceCents, codes.Issue(t.Ticket.TicketId, eventId, t.Seat.SeatId), null))
            .ToList();
        return new BookingResponse(result.ConfirmationNumber!, result.BookingId, write.Reservation.ReservationId, BookingStatuses.Confirmed, write.TotalCents,
            DateTimeOffset.UtcNow, details, new CheckInDetails(tickets, details.StartsAt - GatesOpenBeforeStart));
    }

    private async Task<EventDetails> EventDetailsAsync(long eventId, CancellationToken cancellationToken) =>
        (await cache.GetAsync(("booking-event", eventId), EventDetailsFreshness, async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            return await SaleEventStore.ReadDetailsAsync(connection, eventId, CancellationToken.None);
        }))!;

    public async Task<BookingResponse?> ByIdAsync(long bookingId, string userId, CancellationToken cancellationToken) =>
        (await QueryAsync("b.booking_id = @key AND b.user_id = @user", bookingId, userId, cancellationToken)).SingleOrDefault();

    public async Task<BookingResponse?> ByReservationAsync(string reservationId, string userId, CancellationToken cancellationToken) =>
        (await QueryAsync("b.reservation_id = @key AND b.user_id = @user", reservationId, userId, cancellationToken)).SingleOrDefault();

    public Task<List<BookingResponse>> ForUserAsync(string userId, CancellationToken cancellationToken) =>
        QueryAsync("b.user_id = @user", null, userId, cancellationToken);

    private async Task<List<BookingResponse>> QueryAsync(string where, object? key, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var bookings = new List<(long Id, string Confirmation, string Reservation, long EventId, string Status, long Total, DateTime Created, long Refunded)>();
        await using (var command = new MySqlCommand($"""
            SELECT b.booking_id, b.confirmation_number, b.reservation_id, b.event_id, b.status, b.total_cents, b.created_at, b.refunded_cents
            FROM booking b WHERE {where} ORDER BY b.created_at DESC LIMIT 100
            """, connection))
        {
            command.Parameters.AddWithValue("@key", key);
            command.Parameters.AddWithValue("@user", userId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                bookings.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                    reader.GetInt64(5), reader.GetDateTime(6), reader.GetInt64(7)));
            }
        }

        var result = new List<BookingResponse>();
        foreach (var booking in bookings)
        {
            var details = (await SaleEventStore.ReadDetailsAsync(connection, booking.EventId, cancellationToken))!;
            var tickets = await TicketsAsync(connection, booking.Id, cancellationToken);
            result.Add(new BookingResponse(booking.Confirmation, booking.Id, booking.Reservation, booking.Status, booking.Total,
                MySqlTime.Utc(booking.Created), details, new CheckInDetails(tickets, details.StartsAt - GatesOpenBeforeStart), booking.Refunded));
        }
        return result;
    }

    private async Task<List<TicketResponse>> TicketsAsync(MySqlConnection connection, long bookingId, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand("""
            SELECT t.ticket_id, t.event_id, t.seat_id, es.section_name, es.row_label, es.seat_number, t.price_cents, t.checked_in_at,
                   CASE WHEN t.status = 'valid' AND t.holder_id IS NOT NULL AND t.holder_id <> b.user_id THEN 'transferred' ELSE t.status END,
                   t.code_generation
            FROM ticket t JOIN booking b ON b.booking_id = t.booking_id JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
            WHERE t.booking_id = @booking ORDER BY es.section_name, es.row_label, es.seat_number
            """, connection);
        command.Parameters.AddWithValue("@booking", bookingId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tickets = new List<TicketResponse>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (ticketId, eventId, seatId) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            var status = reader.GetString(8);
            tickets.Add(new TicketResponse(ticketId, new TicketSeat(seatId, reader.GetString(3), reader.GetString(4), reader.GetInt32(5)),
                reader.GetInt64(6), status == TicketStatuses.Valid ? codes.Issue(ticketId, eventId, seatId, reader.GetInt32(9)) : null,
                reader.IsDBNull(7) ? null : MySqlTime.Utc(reader.GetDateTime(7)), status));
        }
        return tickets;
    }
}
