using System.Globalization;
using System.Text;
using TicketMaster.BookingApi.Signing;

namespace TicketMaster.BookingApi.WaitingRoom;

// The pass a waiting room hands out: "WR2.{key_id}.{event_id}.{user_id_b64}.{expires_ms}.{signature}", HMAC-SHA256
// with the queue-pass key named by key_id (Booking:QueuePasses, a secret of its own), so any replica can check it
// without a lookup. It names the fan, so a leaked pass is useless to anyone else.
public sealed class QueuePasses(SigningKeyRing keys)
{
    public const string Section = "Booking:QueuePasses";

    public string Issue(long eventId, string userId, DateTimeOffset expiresAt)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $"WR2.{keys.CurrentKeyId}.{eventId}.{SigningKeyRing.Base64Url(Encoding.UTF8.GetBytes(userId))}.{expiresAt.ToUnixTimeMilliseconds()}");
        return $"{body}.{SigningKeyRing.Sign(keys.CurrentKey, body)}";
    }

    public bool IsValid(string? pass, long eventId, string userId, DateTimeOffset now)
    {
        var parts = pass?.Split('.');
        return parts is ["WR2", var keyId, var evt, var user, var expires, var signature]
            && evt == eventId.ToString(CultureInfo.InvariantCulture)
            && user == SigningKeyRing.Base64Url(Encoding.UTF8.GetBytes(userId))
            && long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresMs)
            && expiresMs > now.ToUnixTimeMilliseconds()
            && keys.Verifies(keyId, $"WR2.{keyId}.{evt}.{user}.{expires}", signature);
    }
}
