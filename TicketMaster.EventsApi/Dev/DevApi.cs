using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Dev;

public sealed record DevTokenRequest(string? UserId, List<string>? Roles);

public sealed record DevTokenResponse(string AccessToken, string TokenType, int ExpiresIn);

// Local development only (Auth:DevTokens, on in the local AppHost, off in Kubernetes): mints the tokens an
// identity provider would, so people and tests can act as fans, organizers and staff.
public static class DevApi
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);
    private static readonly string[] KnownRoles = [Roles.Organizer, Roles.Staff];

    public static IEndpointRouteBuilder MapDevApi(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (!configuration.GetValue("Auth:DevTokens", false))
        {
            return app;
        }
        var api = app.MapGroup("/v1/dev").WithTags("Development");
        api.MapPost("/tokens", IssueToken);
        api.MapPost("/seed", Seed).RequireAuthorization(Roles.Organizer);
        return app;
    }

    public const int MaxSeedEvents = 1_000_000;

    public static async Task<Results<Ok<SeedResult>, ValidationProblem, ProblemHttpResult>> Seed(
        SeedRequest request, SeedGenerator generator, CancellationToken cancellationToken)
    {
        var events = request.Events ?? 100_000;
        if (events is < 1 or > MaxSeedEvents)
        {
            return new ValidationErrors().Add("events", $"must be between 1 and {MaxSeedEvents}").ToProblem();
        }
        try
        {
            return TypedResults.Ok(await generator.SeedAsync(events, request.Seed ?? 42, cancellationToken));
        }
        catch (MySqlConnector.MySqlException ex) when (ex.ErrorCode == MySqlConnector.MySqlErrorCode.DuplicateKeyEntry)
        {
            return TypedResults.Problem(title: "Already seeded", statusCode: StatusCodes.Status409Conflict,
                detail: "This seed's catalog is already loaded; reset the data or use another seed.");
        }
    }

    public static Results<Ok<DevTokenResponse>, ValidationProblem> IssueToken(DevTokenRequest request, TokenSettings tokens)
    {
        var errors = new ValidationErrors().RequireText("user_id", request.UserId, 64);
        var roles = request.Roles ?? [];
        foreach (var role in roles.Where(r => !KnownRoles.Contains(r)))
        {
            errors.Add("roles", $"unknown role '{role}' (known: {string.Join(", ", KnownRoles)})");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var token = tokens.Issue(request.UserId!, roles.Distinct(), TokenLifetime);
        return TypedResults.Ok(new DevTokenResponse(token, "Bearer", (int)TokenLifetime.TotalSeconds));
    }
}
