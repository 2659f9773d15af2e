using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TicketMaster.ServiceDefaults.Auth;

public static class Roles
{
    public const string Organizer = "organizer";
    public const string Staff = "staff";
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
    public string Issue(string userId, IEnumerable<string> roles, TimeSpan lifetime)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, userId) };
        claims.AddRange(roles.Select(role => new Claim("role", role)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.Add(lifetime),
            SigningCredentials = new SigningCredentials(ValidationParameters.IssuerSigningKey, SecurityAlgorithms.HmacSha256),
        });
    }
}
