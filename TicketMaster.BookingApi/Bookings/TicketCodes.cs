using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TicketMaster.BookingApi.Bookings;

// The QR payload on a ticket: "TM1.{ticket_id}.{event_id}.{seat_id}.{signature}", HMAC-SHA256 with a key
// derived from the signing key both APIs share. Gate staff can verify it offline with that key; the database
// still decides "once" at check-in.
public sealed class TicketCodes(byte[] key)
{
    public static TicketCodes FromSigningKey(string signingKey) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(signingKey), 32, info: "ticketmaster ticket codes"u8.ToArray()));

    public string Issue(long ticketId, long eventId, long seatId)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $"TM1.{ticketId}.{eventId}.{seatId}");
        return $"{body}.{Sign(body)}";
    }

    public enum Verdict { Valid, Malformed, Forged }

    public Verdict Verify(string? code, out long ticketId, out long eventId)
    {
        ticketId = eventId = 0;
        var parts = code?.Split('.');
        if (parts is not ["TM1", var ticket, var evt, var seat, var signature]
            || !long.TryParse(ticket, NumberStyles.None, CultureInfo.InvariantCulture, out ticketId)
            || !long.TryParse(evt, NumberStyles.None, CultureInfo.InvariantCulture, out eventId)
            || !long.TryParse(seat, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return Verdict.Malformed;
        }
        var expected = Encoding.ASCII.GetBytes(Sign($"TM1.{ticket}.{evt}.{seat}"));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)) ? Verdict.Valid : Verdict.Forged;
    }

    private string Sign(string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)), 0, 18).Replace('+', '-').Replace('/', '_');
}
