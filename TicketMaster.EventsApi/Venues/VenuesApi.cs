using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Venues;

public static class VenuesApi
{
    public const int MaxSeatsPerRow = 2_000;
    public const int MaxSeatsPerVenue = 200_000;

    public static RouteGroupBuilder MapVenuesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/venues").WithTags("Venues");
        api.MapPost("/", CreateVenue).RequireAuthorization(Roles.Organizer);
        return api;
    }

    public static async Task<Results<Created<VenueResponse>, ValidationProblem>> CreateVenue(
        CreateVenueRequest request, ClaimsPrincipal user, VenueStore store, CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var venue = await store.CreateAsync(request, user.UserId(), cancellationToken);
        return TypedResults.Created($"/v1/venues/{venue.VenueId}", venue);
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

        var totalSeats = 0L;
        var sectionNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var s = 0; s < request.Sections.Count; s++)
        {
            var section = request.Sections[s];
            errors.RequireText($"sections[{s}].name", section.Name, 100);
            if (section.Name is not null && !sectionNames.Add(section.Name.Trim()))
            {
                errors.Add($"sections[{s}].name", "must be unique within the venue");
            }
            if (section.Rows is not { Count: > 0 })
            {
                errors.Add($"sections[{s}].rows", "at least one row is required");
                continue;
            }
            var rowLabels = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var r = 0; r < section.Rows.Count; r++)
            {
                var row = section.Rows[r];
                errors.RequireText($"sections[{s}].rows[{r}].label", row.Label, 16);
                if (row.Label is not null && !rowLabels.Add(row.Label.Trim()))
                {
                    errors.Add($"sections[{s}].rows[{r}].label", "must be unique within the section");
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
