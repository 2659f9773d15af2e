using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TicketMaster.BookingApi;

public static class Problems
{
    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>The JWT subject; endpoints that call this require an authenticated user.</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value ?? throw new InvalidOperationException("authenticated user without sub");
}
