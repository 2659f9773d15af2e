using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TicketMaster.BookingApi.WaitingRoom;

// The pass a waiting room hands out: "WR1.{event_id}.{user_id_b64}.{expires_ms}.{signature}", HMAC-SHA256 with a
// key derived from the signing key the replicas share, so any replica can check it without a lookup. It names the
// fan, so a leaked pass is useless to anyone else.
public sealed class QueuePasses(byte[] key)
{
    public static QueuePasses FromSigningKey(string signingKey) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(signingKey), 32, info: "ticketmaster queue passes"u8.ToArray()));

    public string Issue(long eventId, string userId, DateTimeOffset expiresAt)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $"WR1.{eventId}.{Base64Url(Encoding.UTF8.GetBytes(userId))}.{expiresAt.ToUnixTimeMilliseconds()}");
        return $"{body}.{Sign(body)}";
    }

    public bool IsValid(string? pass, long eventId, string userId, DateTimeOffset now)
    {
        var parts = pass?.Split('.');
        if (parts is not ["WR1", var evt, var user, var expires, var signature]
            || evt != eventId.ToString(CultureInfo.InvariantCulture)
            || user != Base64Url(Encoding.UTF8.GetBytes(userId))
            || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresMs)
            || expiresMs <= now.ToUnixTimeMilliseconds())
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign($"WR1.{evt}.{user}.{expires}")), Encoding.ASCII.GetBytes(signature));
    }

    private string Sign(string body) => Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
