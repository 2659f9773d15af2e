using System.Globalization;
using TicketMaster.BookingApi.Signing;

namespace TicketMaster.BookingApi.Bookings;

// The QR payload on a ticket: "TM2.{key_id}.{ticket_id}.{event_id}.{seat_id}.{signature}" as issued with the booking,
// "TM3.{key_id}.{ticket_id}.{event_id}.{seat_id}.{generation}.{signature}" after a transfer (each transfer makes the
// ticket's next generation, and only the current generation checks in). HMAC-SHA256 with the ticket-code key named by
// key_id (Booking:TicketCodes, its own secret: a leaked JWT key must not forge tickets, nor the other way round). Gate
// staff can verify it offline with that key; the database still decides "once" and "current" at check-in.
public sealed class TicketCodes(SigningKeyRing keys)
{
    public const string Section = "Booking:TicketCodes";

    // 18 bytes (144 bits) keep the QR code small; forging still means guessing an HMAC.
    private const int SignatureBytes = 18;

    public string Issue(long ticketId, long eventId, long seatId, int generation = 1)
    {
        var body = generation == 1
            ? string.Create(CultureInfo.InvariantCulture, $"TM2.{keys.CurrentKeyId}.{ticketId}.{eventId}.{seatId}")
            : string.Create(CultureInfo.InvariantCulture, $"TM3.{keys.CurrentKeyId}.{ticketId}.{eventId}.{seatId}.{generation}");
        return $"{body}.{SigningKeyRing.Sign(keys.CurrentKey, body, SignatureBytes)}";
    }

    public enum Verdict { Valid, Malformed, Forged }

    public Verdict Verify(string? code, out long ticketId, out long eventId) => Verify(code, out ticketId, out eventId, out _);

    public Verdict Verify(string? code, out long ticketId, out long eventId, out int generation)
    {
        ticketId = eventId = 0;
        generation = 1;
        var parts = code?.Split('.');
        var (keyId, ticket, evt, seat, signature, body) = parts switch
        {
            ["TM2", var k, var t, var e, var s, var sig] => (k, t, e, s, sig, $"TM2.{k}.{t}.{e}.{s}"),
            ["TM3", var k, var t, var e, var s, var g, var sig]
                when int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out generation) && generation >= 2
                => (k, t, e, s, sig, $"TM3.{k}.{t}.{e}.{s}.{g}"),
            _ => default,
        };
        if (body is null
            || !SigningKeyRing.IsKeyId(keyId)
            || !long.TryParse(ticket, NumberStyles.None, CultureInfo.InvariantCulture, out ticketId)
            || !long.TryParse(evt, NumberStyles.None, CultureInfo.InvariantCulture, out eventId)
            || !long.TryParse(seat, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            generation = 1;
            return Verdict.Malformed;
        }
        // A key that was rotated out (or never ours) verifies nothing: the code is as good as forged.
        return keys.Verifies(keyId, body, signature, SignatureBytes) ? Verdict.Valid : Verdict.Forged;
    }
}
