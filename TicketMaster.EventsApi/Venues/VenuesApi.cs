using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Venues;

public static class VenuesApi
{
    public const int MaxSeatsPerRow = 2_000;
    public const int MaxSeatsPerVenue = 200_000;
    public const int MaxSections = 1_000;
    public const int MaxRowsPerSection = 1_000;

    // MySQL compares section and row names ignoring case and accents ("Cafe" and "Café" collide in its unique keys),
    // so they are unique here by the same rule; the database's own check backs it (409).
    private static readonly StringComparer NameComparer =
        StringComparer.Create(System.Globalization.CultureInfo.InvariantCulture, System.Globalization.CompareOptions.IgnoreCase | System.Globalization.CompareOptions.IgnoreNonSpace);

    public static RouteGroupBuilder MapVenuesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/venues").WithTags("Venues");
        api.MapPost("/", CreateVenue).RequireAuthorization(Roles.Organizer).RequireRateLimit(RateLimitKind.CatalogWrites);
        api.MapGet("/", ListOwnVenues).RequireAuthorization(Roles.Organizer).RequireRateLimit(RateLimitKind.Reads);
        return api;
    }

    /// <summary>The caller's own venues (an organizer's list; at most VenueStore.MaxListed).</summary>
    public static async Task<Ok<List<VenueResponse>>> ListOwnVenues(ClaimsPrincipal user, VenueStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.OwnedByAsync(user.UserId(), cancellationToken));

    public static async Task<Results<Created<VenueResponse>, ValidationProblem, ProblemHttpResult>> CreateVenue(
        CreateVenueRequest request, ClaimsPrincipal user, VenueStore store, CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        try
        {
            var venue = await store.CreateAsync(request, user.UserId(), cancellationToken);
            return TypedResults.Created($"/v1/venues/{venue.VenueId}", venue);
        }
        catch (MySqlConnector.MySqlException ex) when (ex.ErrorCode == MySqlConnector.MySqlErrorCode.DuplicateKeyEntry)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Names repeat",
                detail: "Two sections of the venue, or two rows of a section, have names that are the same ignoring case and accents.");
        }
    }

    private static ValidationErrors Validate(CreateVenueRequest request)
    {
        var errors = new ValidationErrors()
            .RequireText("name", request.Name, 200)
            .RequireText("city", request.City, 100)
            .RequireText("address", request.Address, 300);

        if (request.Sections is not { Count: > 0 })
        {
            return errors.Add("sections", "at least one section is required");
        }
        if (request.Sections.Count > MaxSections)
        {
            return errors.Add("sections", $"at most {MaxSections} sections");
        }

        var totalSeats = 0L;
        var sectionNames = new HashSet<string>(NameComparer);
        for (var s = 0; s < request.Sections.Count; s++)
        {
            if (request.Sections[s] is not { } section)
            {
                errors.Add($"sections[{s}]", "is required");
                continue;
            }
            errors.RequireText($"sections[{s}].name", section.Name, 100);
            if (section.Name is not null && !sectionNames.Add(section.Name.Trim()))
            {
                errors.Add($"sections[{s}].name", "must be unique within the venue (ignoring case and accents)");
            }
            if (section.Rows is not { Count: > 0 and <= MaxRowsPerSection })
            {
                errors.Add($"sections[{s}].rows", $"between 1 and {MaxRowsPerSection} rows are required");
                continue;
            }
            var rowLabels = new HashSet<string>(NameComparer);
            for (var r = 0; r < section.Rows.Count; r++)
            {
                if (section.Rows[r] is not { } row)
                {
                    errors.Add($"sections[{s}].rows[{r}]", "is required");
                    continue;
                }
                errors.RequireText($"sections[{s}].rows[{r}].label", row.Label, 16);
                if (row.Label is not null && !rowLabels.Add(row.Label.Trim()))
                {
                    errors.Add($"sections[{s}].rows[{r}].label", "must be unique within the section (ignoring case and accents)");
                }
                if (row.Seats is < 1 or > MaxSeatsPerRow)
                {
                    errors.Add($"sections[{s}].rows[{r}].seats", $"must be between 1 and {MaxSeatsPerRow}");
                }
                totalSeats += Math.Max(row.Seats, 0);
            }
        }
        if (totalSeats > MaxSeatsPerVenue)
        {
            errors.Add("sections", $"a venue has at most {MaxSeatsPerVenue} seats");
        }
        return errors;
    }
}
