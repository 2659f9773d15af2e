using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.Signing;

/// <summary>
/// The HMAC keys of one kind of signed code (ticket QR codes, waiting-room passes), each with a key id that the code
/// carries. New codes are signed with the current key; any key still listed verifies the codes it signed, so a key is
/// rotated by adding the next one, making it current, and removing the old one once its codes have expired.
/// Settings: {section}:Keys:{id} = secret (at least 32 bytes), {section}:CurrentKeyId = id.
/// </summary>
public sealed partial class SigningKeyRing
{
    private readonly Dictionary<string, byte[]> _keys;

    public SigningKeyRing(string currentKeyId, IReadOnlyDictionary<string, string> keys)
    {
        _keys = keys.ToDictionary(k => k.Key, k => Encoding.UTF8.GetBytes(k.Value), StringComparer.Ordinal);
        CurrentKeyId = currentKeyId;
        CurrentKey = _keys[currentKeyId];
    }

    public string CurrentKeyId { get; }

    public byte[] CurrentKey { get; }

    public bool TryGetKey(string keyId, out byte[] key) => _keys.TryGetValue(keyId, out key!);

    public static bool IsKeyId(string keyId) => KeyIdPattern().IsMatch(keyId);

    /// <summary>The ring configured under <paramref name="section"/>; refuses to start on a missing, short or unknown key.</summary>
    public static SigningKeyRing FromConfiguration(IConfiguration configuration, string section)
    {
        var keys = configuration.GetSection($"{section}:Keys").GetChildren()
            .Where(k => !string.IsNullOrEmpty(k.Value)).ToDictionary(k => k.Key, k => k.Value!, StringComparer.Ordinal);
        var current = configuration[$"{section}:CurrentKeyId"];
        if (string.IsNullOrEmpty(current) || !keys.ContainsKey(current))
        {
            throw new StartupRefusedException(
                $"{section}:CurrentKeyId must name one of {section}:Keys:<id> (the AppHost or the Kubernetes Secret sets them).");
        }
        foreach (var (id, secret) in keys)
        {
            if (!IsKeyId(id) || Encoding.UTF8.GetByteCount(secret) < 32)
            {
                throw new StartupRefusedException($"{section}:Keys:{id} must have an id of 1 to 16 lowercase letters or digits and at least 32 bytes.");
            }
        }
        return new SigningKeyRing(current, keys);
    }

    /// <summary>HMAC-SHA256 of <paramref name="body"/>, base64url without padding, cut to <paramref name="bytes"/> bytes.</summary>
    public static string Sign(byte[] key, string body, int bytes = 32) =>
        Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)).AsSpan(0, bytes));

    /// <summary>Whether <paramref name="signature"/> is the signature of <paramref name="body"/> by key <paramref name="keyId"/>, in constant time.</summary>
    public bool Verifies(string keyId, string body, string signature, int bytes = 32) =>
        TryGetKey(keyId, out var key)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(key, body, bytes)), Encoding.ASCII.GetBytes(signature));

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[a-z0-9]{1,16}$")]
    private static partial Regex KeyIdPattern();
}
