using System.Globalization;
using TicketMaster.BookingApi.Signing;

namespace TicketMaster.BookingApi.Bookings;

// The QR payload on a ticket: "TM2.{key_id}.{ticket_id}.{event_id}.{seat_id}.{signature}", HMAC-SHA256 with the
// ticket-code key named by key_id (Booking:TicketCodes, its own secret: a leaked JWT key must not forge tickets, nor
// the other way round). Gate staff can verify it offline with that key; the database still decides "once" at check-in.
public sealed class TicketCodes(SigningKeyRing keys)
{
    public const string Section = "Booking:TicketCodes";

    // 18 bytes (144 bits) keep the QR code small; forging still means guessing an HMAC.
    private const int SignatureBytes = 18;

    public string Issue(long ticketId, long eventId, long seatId)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $"TM2.{keys.CurrentKeyId}.{ticketId}.{eventId}.{seatId}");
        return $"{body}.{SigningKeyRing.Sign(keys.CurrentKey, body, SignatureBytes)}";
    }

    public enum Verdict { Valid, Malformed, Forged }

    public Verdict Verify(string? code, out long ticketId, out long eventId)
    {
        ticketId = eventId = 0;
        var parts = code?.Split('.');
        if (parts is not ["TM2", var keyId, var ticket, var evt, var seat, var signature]
            || !SigningKeyRing.IsKeyId(keyId)
            || !long.TryParse(ticket, NumberStyles.None, CultureInfo.InvariantCulture, out ticketId)
            || !long.TryParse(evt, NumberStyles.None, CultureInfo.InvariantCulture, out eventId)
            || !long.TryParse(seat, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return Verdict.Malformed;
        }
        // A key that was rotated out (or never ours) verifies nothing: the code is as good as forged.
        return keys.Verifies(keyId, $"TM2.{keyId}.{ticket}.{evt}.{seat}", signature, SignatureBytes) ? Verdict.Valid : Verdict.Forged;
    }
}
