using System.Security.Claims;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.EventsApi.Events;

public static class EventsApi
{
    public const string DetailsCachePolicy = "event-details";

    // CDNs and browsers may reuse details for a few seconds (availability moves), then revalidate by ETag.
    private const string DetailsCacheControl = "public, max-age=5, stale-while-revalidate=30";

    public static string CacheTag(long eventId) => $"event-{eventId}";

    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/events").WithTags("Events");

        api.MapGet("/{eventId:long}", GetEvent).CacheOutput(DetailsCachePolicy).RequireRateLimit(RateLimitKind.Reads);
        // The seed's form: GET /v1/events/?id={event_id}
        api.MapGet("/", GetEventByQuery).CacheOutput(DetailsCachePolicy).RequireRateLimit(RateLimitKind.Reads);
        api.MapGet("/mine", ListOwnEvents).RequireAuthorization(Roles.Organizer).RequireRateLimit(RateLimitKind.Reads);
        api.MapPost("/", CreateEvent).RequireAuthorization(Roles.Organizer).RequireRateLimit(RateLimitKind.CatalogWrites);
        api.MapPatch("/{eventId:long}", UpdateEvent).RequireAuthorization(Roles.Organizer).RequireRateLimit(RateLimitKind.CatalogWrites);

        return api;
    }

    public static async Task<Results<CacheableJson, ProblemHttpResult>> GetEvent(
        long eventId, EventStore store, HttpContext context, CancellationToken cancellationToken)
    {
        // Tagged so that a change of this event evicts exactly its cached responses, on every replica.
        context.Features.Get<IOutputCacheFeature>()?.Context.Tags.Add(CacheTag(eventId));

        var details = await store.GetAsync(eventId, cancellationToken);
        return details is null
            ? EventNotFound(eventId)
            : new CacheableJson(details, DetailsCacheControl);
    }

    /// <summary>The caller's own events, latest first (at most EventStore.MaxListed); never cached: it names its caller.</summary>
    public static async Task<Ok<List<EventDetails>>> ListOwnEvents(ClaimsPrincipal user, EventStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.OwnedByAsync(user.UserId(), cancellationToken));

    public static async Task<Results<CacheableJson, ProblemHttpResult, ValidationProblem>> GetEventByQuery(
        [FromQuery(Name = "id")] string? id, EventStore store, HttpContext context, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId))
        {
            return new ValidationErrors().Add("id", "an event id (a positive integer) is required").ToProblem();
        }
        return await GetEvent(eventId, store, context, cancellationToken) switch
        {
            { Result: CacheableJson found } => found,
            { Result: ProblemHttpResult missing } => missing,
            _ => throw new InvalidOperationException("unexpected result"),
        };
    }

    public static async Task<Results<Created<EventDetails>, ValidationProblem, ProblemHttpResult>> CreateEvent(
        CreateEventRequest request, ClaimsPrincipal user, EventStore store, CancellationToken cancellationToken)
    {
        var errors = EventValidation.ValidateCreate(request);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var result = await store.CreateAsync(request, user, cancellationToken);
        if (result.UnknownReferences is { } unknown)
        {
            return unknown.ToUnprocessable("The event refers to a venue, sections or performers that do not exist.");
        }
        return TypedResults.Created($"/v1/events/{result.Event!.EventId}", result.Event);
    }

    public static async Task<Results<Ok<EventDetails>, ProblemHttpResult, ValidationProblem>> UpdateEvent(
        long eventId, UpdateEventRequest request, ClaimsPrincipal user, EventStore store, IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        var errors = EventValidation.ValidateUpdate(request);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var result = await store.UpdateAsync(eventId, request, user, cancellationToken);
        if (result.Invalid is { } invalid)
        {
            return invalid.ToProblem();
        }
        if (result.Conflict is { } conflict)
        {
            return TypedResults.Problem(title: "Event cancelled", detail: conflict, statusCode: StatusCodes.Status409Conflict);
        }
        if (result.Event is null)
        {
            return EventNotFound(eventId);
        }
        await cache.EvictByTagAsync(CacheTag(eventId), cancellationToken);
        return TypedResults.Ok(result.Event);
    }

    /// <summary>The answer for an event that does not exist and for one the caller may not manage alike.</summary>
    public static ProblemHttpResult EventNotFound(long eventId) =>
        TypedResults.Problem(title: "Event not found", detail: $"There is no event {eventId}.", statusCode: StatusCodes.Status404NotFound);
}
