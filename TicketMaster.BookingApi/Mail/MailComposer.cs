using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;
using MySqlConnector;
using QRCoder;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Catalog;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Mail;

/// <summary>A mail owed: what it is about (kind, subject, version) and for whom.</summary>
public sealed record OwedMail(string Kind, long SubjectId, long Version, string UserId, int Attempts);

// Writes each kind of mail from the sale's tables as they are when it is sent (a ticket refunded or given away since the
// booking is not shown as a ticket that admits). Every mail has a plain-text part and an HTML part; a ticket's QR code
// is a PNG image inside the message (no remote image for a mail client to block).
public sealed class MailComposer(MySqlDataSource dataSource, BookingReader bookings, TicketCodes codes)
{
    /// <summary>The mail's content; null when what it is about is gone (nothing is sent then).</summary>
    public async Task<(string Subject, BodyBuilder Body)?> ComposeAsync(OwedMail mail, CancellationToken cancellationToken) =>
        mail.Kind switch
        {
            MailKinds.BookingConfirmed => await BookingConfirmedAsync(mail, cancellationToken),
            MailKinds.Refund => await RefundAsync(mail, cancellationToken),
            MailKinds.TicketSent or MailKinds.TicketReceived => await TransferAsync(mail, cancellationToken),
            MailKinds.EventRescheduled or MailKinds.EventCancelled => await EventChangedAsync(mail, cancellationToken),
            _ => null,
        };

    private async Task<(string, BodyBuilder)?> BookingConfirmedAsync(OwedMail mail, CancellationToken cancellationToken)
    {
        if (await bookings.ByIdAsync(mail.SubjectId, mail.UserId, cancellationToken) is not { } booking)
        {
            return null;
        }
        var page = new Page(booking.EventDetails);
        page.Paragraph($"Your booking is confirmed. Confirmation number: {booking.ConfirmationNumber}.");
        page.Paragraph($"Paid: {Money(booking.TotalCents)}. Gates open at {When(booking.CheckInDetails.GatesOpenAt)}.");
        var admitting = booking.CheckInDetails.Tickets.Where(t => t.QrCode is not null).ToList();
        page.Paragraph(admitting.Count == 1 ? "Your ticket — show its code at the door:" : $"Your {admitting.Count} tickets — show each code at the door:");
        foreach (var ticket in admitting)
        {
            page.Ticket(ticket.Seat, ticket.QrCode!);
        }
        return ($"Your tickets for {booking.EventDetails.EventName} — {booking.ConfirmationNumber}", page.Build());
    }

    private async Task<(string, BodyBuilder)?> RefundAsync(OwedMail mail, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand("""
            SELECT r.event_id, r.tickets, r.amount_cents, r.fee_cents, r.reason, b.confirmation_number
            FROM refund r JOIN booking b ON b.booking_id = r.booking_id WHERE r.refund_id = @refund AND r.user_id = @user
            """, connection);
        read.Parameters.AddWithValue("@refund", mail.SubjectId);
        read.Parameters.AddWithValue("@user", mail.UserId);
        long eventId, amount, fee;
        int tickets;
        string reason, confirmation;
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            (eventId, tickets, amount, fee, reason, confirmation) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetString(4), reader.GetString(5));
        }
        if (await SaleEventStore.ReadDetailsAsync(connection, eventId, cancellationToken) is not { } details)
        {
            return null;
        }
        var page = new Page(details);
        var cancelled = reason == RefundReasons.EventCancelled;
        page.Paragraph(cancelled
            ? $"The organizer has cancelled this event. Every ticket of booking {confirmation} is refunded in full."
            : $"You cancelled {Count(tickets)} of booking {confirmation}. Those tickets no longer admit anyone.");
        page.Paragraph(fee > 0
            ? $"{Money(amount)} is on its way back to the card you paid with ({Money(fee)} kept as the organizer's refund fee)."
            : $"{Money(amount)} is on its way back to the card you paid with.");
        return (cancelled ? $"Cancelled: {details.EventName} — your refund" : $"Your refund for {details.EventName}", page.Build());
    }

    private async Task<(string, BodyBuilder)?> TransferAsync(OwedMail mail, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var read = new MySqlCommand("""
            SELECT t.event_id, t.seat_id, es.section_name, es.row_label, es.seat_number, t.status = 'valid' AND t.checked_in_at IS NULL,
                   t.code_generation, COALESCE(t.holder_id, b.user_id)
            FROM ticket t JOIN booking b ON b.booking_id = t.booking_id JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
            WHERE t.ticket_id = @ticket
            """, connection);
        read.Parameters.AddWithValue("@ticket", mail.SubjectId);
        long eventId;
        TicketSeat seat;
        bool current;
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            eventId = reader.GetInt64(0);
            seat = new TicketSeat(reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4));
            // The code of this transfer is the one to show only while it still admits and its holder is the recipient.
            current = reader.GetBoolean(5) && reader.GetInt32(6) == mail.Version && reader.GetString(7) == mail.UserId;
        }
        if (await SaleEventStore.ReadDetailsAsync(connection, eventId, cancellationToken) is not { } details)
        {
            return null;
        }
        var page = new Page(details);
        if (mail.Kind == MailKinds.TicketSent)
        {
            page.Paragraph($"You gave your ticket ({SeatLabel(seat)}) to someone else. Its old code no longer admits anyone; "
                + "the new holder has a code of their own.");
            return ($"You transferred a ticket for {details.EventName}", page.Build());
        }
        if (current)
        {
            page.Paragraph("Someone gave you a ticket. It is yours now: show this code at the door.");
            page.Ticket(seat, codes.Issue(mail.SubjectId, eventId, seat.SeatId, (int)mail.Version));
        }
        else
        {
            page.Paragraph($"Someone gave you a ticket ({SeatLabel(seat)}); it has changed since. Your tickets list shows what you hold.");
        }
        return ($"A ticket for {details.EventName} is yours", page.Build());
    }

    private async Task<(string, BodyBuilder)?> EventChangedAsync(OwedMail mail, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await SaleEventStore.ReadDetailsAsync(connection, mail.SubjectId, cancellationToken) is not { } details)
        {
            return null;
        }
        var page = new Page(details);
        if (mail.Kind == MailKinds.EventRescheduled)
        {
            page.Paragraph($"The event has a new date: {When(details.StartsAt)}. Your tickets stay valid for it; nothing needs doing.");
            return ($"New date for {details.EventName}", page.Build());
        }
        page.Paragraph("The organizer has cancelled this event. The tickets you were given no longer admit anyone; "
            + "the fan who bought them gets their money back.");
        return ($"Cancelled: {details.EventName}", page.Build());
    }

    private static string Money(long cents) => string.Create(CultureInfo.InvariantCulture, $"{cents / 100m:0.00}");

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Count(int tickets) => tickets == 1 ? "1 ticket" : $"{tickets} tickets";

    private static string SeatLabel(TicketSeat seat) => $"{seat.Section}, row {seat.Row}, seat {seat.Number}";

    // One mail's two parts, written side by side: the text part says everything the HTML part shows.
    private sealed class Page
    {
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _html = new();
        private readonly BodyBuilder _body = new();

        public Page(EventDetails details)
        {
            var performers = string.Join(", ", details.Performers.Select(p => p.Name));
            var lines = new[]
            {
                When(details.StartsAt),
                $"{details.Venue.Name}, {details.Venue.Address}, {details.Venue.City}",
                performers,
            }.Where(line => line.Length > 0).ToList();
            _text.AppendLine(details.EventName).AppendLine(new string('=', Math.Min(details.EventName.Length, 70)));
            _html.Append("<!DOCTYPE html><html lang=\"en\"><body style=\"font-family:sans-serif\"><h1>")
                .Append(WebUtility.HtmlEncode(details.EventName)).Append("</h1>");
            foreach (var line in lines)
            {
                _text.AppendLine(line);
                _html.Append("<p>").Append(WebUtility.HtmlEncode(line)).Append("</p>");
            }
            _text.AppendLine();
        }

        public void Paragraph(string text)
        {
            _text.AppendLine(text).AppendLine();
            _html.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>");
        }

        public void Ticket(TicketSeat seat, string code)
        {
            var image = _body.LinkedResources.Add($"ticket-{seat.SeatId}.png", Qr(code), ContentType.Parse("image/png"));
            image.ContentId = MimeKit.Utils.MimeUtils.GenerateMessageId();
            _text.AppendLine(SeatLabel(seat)).AppendLine($"Code: {code}").AppendLine();
            _html.Append("<h2>").Append(WebUtility.HtmlEncode(SeatLabel(seat))).Append("</h2>")
                .Append("<p><img src=\"cid:").Append(image.ContentId).Append("\" width=\"270\" height=\"270\" alt=\"QR code of the ticket for ")
                .Append(WebUtility.HtmlEncode(SeatLabel(seat))).Append("\"></p><p><code>").Append(WebUtility.HtmlEncode(code)).Append("</code></p>");
        }

        public BodyBuilder Build()
        {
            _body.TextBody = _text.ToString();
            _body.HtmlBody = _html.Append("</body></html>").ToString();
            return _body;
        }

        // Medium error correction (15 % of the code may be lost) scans from a scratched screen or a creased print, at
        // half the CPU of quartile; 6 pixels a module draw it about 270 pixels wide.
        private static byte[] Qr(string code)
        {
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(code, QRCodeGenerator.ECCLevel.M);
            return new PngByteQRCode(data).GetGraphic(6);
        }
    }
}
