using System.Security.Cryptography;

namespace TicketMaster.Data;

public static class Ids
{
    private const long JavaScriptSafeLimit = 1L << 53;

    /// <summary>
    /// A random id in [1, 2^53): unguessable enough that nobody enumerates others' bookings, and still exact
    /// as a JSON number in JavaScript clients.
    /// </summary>
    public static long New()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        var value = BitConverter.ToInt64(bytes) & (JavaScriptSafeLimit - 1);
        return value == 0 ? 1 : value;
    }
}
