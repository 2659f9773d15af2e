using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Organizer;

// One event's sale for its organizer: the figures live (the page's script follows the sales stream), and the
// settings an organizer changes during a sale.
public sealed class EventModel(CatalogClient catalog, BookingClient booking) : PageModel
{
    public const int MaxStaff = 100;

    public EventDetails? Event { get; private set; }
    public JsonElement? Summary { get; private set; }
    public IReadOnlyList<string> Staff { get; private set; } = [];
    public string? Message { get; private set; }
    public bool MessageIsError { get; private set; }

    public string Sales(string field) => Summary is { } s && s.TryGetProperty(field, out var v) ? v.GetInt64().ToString("N0") : "–";
    public long Revenue => Summary is { } s && s.TryGetProperty("revenue_cents", out var v) ? v.GetInt64() : 0;

    public async Task<IActionResult> OnGetAsync(long eventId, CancellationToken cancellationToken) =>
        await LoadAsync(eventId, cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAdmissionAsync(long eventId, double min, double max, CancellationToken cancellationToken)
    {
        var answer = await booking.SetAdmissionAsync(eventId, min, max, cancellationToken);
        Say(answer.Problem, $"Admission between {min} and {max} fans a second.");
        return await LoadAsync(eventId, cancellationToken) ?? Page();
    }

    public async Task<IActionResult> OnPostStaffAsync(long eventId, string? staff, CancellationToken cancellationToken)
    {
        var ids = (staff ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (ids.Count > MaxStaff)
        {
            Say(new Problem(400, "Too many", $"At most {MaxStaff} staff."), "");
        }
        else
        {
            var answer = await catalog.SetStaffAsync(eventId, ids, cancellationToken);
            Say(answer.Problem, $"{ids.Count} staff may check tickets in.");
        }
        return await LoadAsync(eventId, cancellationToken) ?? Page();
    }

    public async Task<IActionResult> OnPostCancelAsync(long eventId, bool sure, CancellationToken cancellationToken)
    {
        if (!sure)
        {
            Say(new Problem(400, "Not cancelled", "Tick “I am sure” to cancel."), "");
        }
        else
        {
            var answer = await catalog.UpdateEventAsync(eventId, new { status = "cancelled" }, cancellationToken);
            Say(answer.Problem, "Cancelled: every ticket is being refunded.");
        }
        return await LoadAsync(eventId, cancellationToken) ?? Page();
    }

    private void Say(Problem? problem, string success) =>
        (Message, MessageIsError) = problem is null ? (success, false) : ($"{problem.Title}: {problem.Detail}", true);

    private async Task<IActionResult?> LoadAsync(long eventId, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        var staff = await catalog.StaffAsync(eventId, cancellationToken);
        if (staff.Value is null)
        {
            // Not the caller's event (or none such): the API's 403/404 either way.
            return StatusCode(staff.Status is 403 or 404 ? 404 : 503);
        }
        Staff = staff.Value.UserIds;
        Event = (await catalog.EventAsync(eventId, cancellationToken)).Value;
        Summary = (await booking.SalesAsync(eventId, cancellationToken)).Value;
        return Event is null ? NotFound() : null;
    }
}
