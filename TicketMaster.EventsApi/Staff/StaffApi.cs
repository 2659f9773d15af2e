using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Staff;

/// <summary>PUT /v1/events/{event_id}/staff: the user ids of the event's door staff (the whole list, replaced).</summary>
public sealed record EventStaffRequest(List<string?>? UserIds);

public sealed record EventStaffResponse(long EventId, IReadOnlyList<string> UserIds);

// The owner (or an admin) names who may check tickets in at the event's doors; BookingApi's check-in admits a ticket
// only for staff of that ticket's event. Another organizer gets the 404 an unknown event gets.
public static class StaffApi
{
    public const int MaxStaffPerEvent = 500;

    public static RouteGroupBuilder MapStaffApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/events/{eventId:long}/staff").WithTags("Events").RequireAuthorization(Roles.Organizer)
            .RequireRateLimit(RateLimitKind.CatalogWrites);
        api.MapGet("/", GetStaff);
        api.MapPut("/", SetStaff);
        return api;
    }

    public static async Task<Results<Ok<EventStaffResponse>, ProblemHttpResult>> GetStaff(
        long eventId, ClaimsPrincipal user, StaffStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(eventId, user, cancellationToken) is { } staff
            ? TypedResults.Ok(new EventStaffResponse(eventId, staff))
            : Events.EventsApi.EventNotFound(eventId);

    public static async Task<Results<Ok<EventStaffResponse>, ValidationProblem, ProblemHttpResult>> SetStaff(
        long eventId, EventStaffRequest request, ClaimsPrincipal user, StaffStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var userIds = request.UserIds;
        if (userIds is null)
        {
            return errors.Add("user_ids", "is required (an empty list removes every staff member)").ToProblem();
        }
        if (userIds.Count > MaxStaffPerEvent)
        {
            return errors.Add("user_ids", $"at most {MaxStaffPerEvent} staff per event").ToProblem();
        }
        for (var i = 0; i < userIds.Count; i++)
        {
            if (!UserIds.IsAcceptable(userIds[i]))
            {
                errors.Add($"user_ids[{i}]", $"must be a user id of 1 to {UserIds.MaxLength} characters");
            }
        }
        // Exact comparison, as everywhere user ids meet: "Alice" and "alice" are two people.
        var duplicates = userIds.OfType<string>().GroupBy(u => u, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            errors.Add("user_ids", $"each user id at most once; repeated: {string.Join(", ", duplicates)}");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var staff = userIds.OfType<string>().Order(StringComparer.Ordinal).ToList();
        return await store.SetAsync(eventId, staff, user, cancellationToken)
            ? TypedResults.Ok(new EventStaffResponse(eventId, staff))
            : Events.EventsApi.EventNotFound(eventId);
    }
}
