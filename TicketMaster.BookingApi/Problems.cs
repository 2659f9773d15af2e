using Microsoft.AspNetCore.Http.HttpResults;

namespace TicketMaster.BookingApi;

public static class Problems
{
    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>The answer for an event that does not exist and for one that is not the caller's to manage alike.</summary>
    public static ProblemHttpResult EventNotFound(long eventId) => NotFound("Event not found", $"There is no event {eventId}.");

    /// <summary>The event no longer sells (cancelled): 409, naming its status as event_status (status is the HTTP status's).</summary>
    public static ProblemHttpResult NotSelling(long eventId, string status, string? detail = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Event {status}",
            detail: detail ?? $"Event {eventId} is {status}: it sells no tickets.",
            extensions: new Dictionary<string, object?> { ["event_id"] = eventId, ["event_status"] = status });
}
