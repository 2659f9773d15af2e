using System.Security.Claims;

namespace TicketMaster.ServiceDefaults.Auth;

/// <summary>Who is calling, as the authorization rules need it. User ids compare ordinally: byte for byte, never by culture.</summary>
public static class Caller
{
    /// <summary>The JWT subject; endpoints that call this require an authenticated user (authentication refused any other).</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value ?? throw new InvalidOperationException("authenticated user without sub");

    /// <summary>
    /// The token's <c>email</c> claim when it is a plain address (no display name, at most
    /// <see cref="EmailAddresses.MaxLength"/> characters); else null: mail for this user goes nowhere.
    /// </summary>
    public static string? Email(this ClaimsPrincipal user) =>
        user.FindFirst("email")?.Value is { } email && EmailAddresses.IsAcceptable(email) ? email : null;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    /// <summary>The owner of an event or venue, or an admin.</summary>
    public static bool CanManage(this ClaimsPrincipal user, string ownerId) =>
        user.IsAdmin() || string.Equals(user.FindFirst("sub")?.Value, ownerId, StringComparison.Ordinal);
}
