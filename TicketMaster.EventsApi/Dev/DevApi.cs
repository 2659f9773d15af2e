using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Dev;

public sealed record DevTokenRequest(string? UserId, List<string>? Roles, string? Email = null);

public sealed record DevTokenResponse(string AccessToken, string TokenType, int ExpiresIn);

// Local development only: mapped when Auth:DevTokens is true AND the environment is Development (the flag elsewhere
// stops the service at start). Mints the tokens an identity provider would, so people and tests can act as fans,
// organizers, staff and admins.
public static class DevApi
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);
    public static WebApplication MapDevApi(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() || !app.Configuration.GetValue("Auth:DevTokens", false))
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
        SeedRequest request, ClaimsPrincipal user, SeedGenerator generator, CancellationToken cancellationToken)
    {
        // No default: a body that lost its count must not start a 100,000-event load.
        if (request.Events is not (>= 1 and <= MaxSeedEvents) || request.Events is not { } events)
        {
            return new ValidationErrors().Add("events", $"is required, between 1 and {MaxSeedEvents}").ToProblem();
        }
        try
        {
            return TypedResults.Ok(await generator.SeedAsync(events, request.Seed ?? 42, user.UserId(), cancellationToken));
        }
        catch (MySqlConnector.MySqlException ex) when (ex.ErrorCode == MySqlConnector.MySqlErrorCode.DuplicateKeyEntry)
        {
            return TypedResults.Problem(title: "Already seeded", statusCode: StatusCodes.Status409Conflict,
                detail: "This seed's catalog is already loaded; reset the data or use another seed.");
        }
    }

    public static Results<Ok<DevTokenResponse>, ValidationProblem> IssueToken(DevTokenRequest request, TokenSettings tokens)
    {
        var errors = new ValidationErrors();
        if (!UserIds.IsAcceptable(request.UserId))
        {
            errors.Add("user_id", $"must be 1 to {UserIds.MaxLength} characters, without control characters or white space at either end");
        }
        if (request.Email is not null && !EmailAddresses.IsAcceptable(request.Email))
        {
            errors.Add("email", $"must be a plain address (name@domain) of at most {EmailAddresses.MaxLength} characters");
        }
        var roles = request.Roles ?? [];
        if (roles.Count > Roles.Known.Length)
        {
            errors.Add("roles", $"at most {Roles.Known.Length} roles");
        }
        else
        {
            foreach (var role in roles.Where(r => !Roles.Known.Contains(r)))
            {
                errors.Add("roles", $"unknown role '{Events.EventValidation.Shorten(role ?? "null")}' (known: {string.Join(", ", Roles.Known)})");
            }
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var token = tokens.Issue(request.UserId!, roles.Distinct(), TokenLifetime, request.Email);
        return TypedResults.Ok(new DevTokenResponse(token, "Bearer", (int)TokenLifetime.TotalSeconds));
    }
}
