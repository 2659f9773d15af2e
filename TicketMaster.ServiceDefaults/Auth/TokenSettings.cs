using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TicketMaster.ServiceDefaults.Auth;

public static class Roles
{
    public const string Organizer = "organizer";
    public const string Staff = "staff";

    /// <summary>The platform's operators: may act on every event and venue, and alone may rebuild the search index.</summary>
    public const string Admin = "admin";

    /// <summary>The Indexer's own identity: it may read the catalog's search documents, and nothing else.</summary>
    public const string SearchIndexer = "search-indexer";

    /// <summary>BookingApi's own identity: it may read an event's sale listing (terms, staff, priced seats), and nothing else.</summary>
    public const string BookingService = "booking-service";

    public static readonly string[] Known = [Organizer, Staff, Admin, SearchIndexer, BookingService];
}

public static class UserIds
{
    /// <summary>
    /// The longest JWT subject accepted, the width of every user id column. A longer or missing subject is refused
    /// at authentication (401), so nothing downstream ever sees a user id the database would cut or reject.
    /// </summary>
    public const int MaxLength = 128;

    /// <summary>
    /// 1 to <see cref="MaxLength"/> characters, no control characters, no white space at either end. The columns
    /// compare in binary, which still ignores trailing spaces ("PAD SPACE"): refusing them keeps "alice " from
    /// ever being taken for "alice".
    /// </summary>
    public static bool IsAcceptable(string? userId) =>
        !string.IsNullOrEmpty(userId) && userId.Length <= MaxLength
        && !char.IsWhiteSpace(userId[0]) && !char.IsWhiteSpace(userId[^1]) && !userId.Any(char.IsControl);

    /// <summary>Names a Redis key after a user: an id may hold any character (a hash tag among them) and 128 of them.</summary>
    public static string KeyHash(string userId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId)).AsSpan(0, 16));
}

public static class EmailAddresses
{
    /// <summary>The longest address accepted (RFC 5321's path limit less its angle brackets).</summary>
    public const int MaxLength = 254;

    /// <summary>An address alone ("fan@example.com"), no display name, no white space or control characters.</summary>
    public static bool IsAcceptable(string? email) =>
        !string.IsNullOrEmpty(email) && email.Length <= MaxLength && !email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
        && System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && parsed.DisplayName.Length == 0;
}

public sealed class TokenSettings(SecurityKey signingKey)
{
    public const string Issuer = "ticketmaster";
    public const string Audience = "ticketmaster";

    public TokenValidationParameters ValidationParameters { get; } = new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = signingKey,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = "role",
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>Issues a token as the identity provider would; used by the local dev-token endpoint and tests.</summary>
    public string Issue(string userId, IEnumerable<string> roles, TimeSpan lifetime, string? email = null) =>
        Issue(roles.Select(role => new Claim("role", role)).Prepend(new Claim(JwtRegisteredClaimNames.Sub, userId))
            .Concat(email is null ? [] : [new Claim(JwtRegisteredClaimNames.Email, email)]), lifetime);

    /// <summary>A token with exactly these claims (tests use it for tokens without a subject).</summary>
    public string Issue(IEnumerable<Claim> claims, TimeSpan lifetime) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.Add(lifetime),
            SigningCredentials = new SigningCredentials(ValidationParameters.IssuerSigningKey, SecurityAlgorithms.HmacSha256),
        });
}
