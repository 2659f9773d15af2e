using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Organizer;

public sealed class NewEventModel(CatalogClient catalog) : PageModel
{
    public VenueInfo? Venue { get; private set; }
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(long venueId, CancellationToken cancellationToken) =>
        await LoadAsync(venueId, cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAsync(long venueId, string? eventName, string? description, string? performer, string? startsAt,
        string? endsAt, string? onSaleAt, Dictionary<long, decimal>? prices, int? maxTicketsPerUser, bool waitingRoom, int? refundableDaysBefore,
        CancellationToken cancellationToken)
    {
        if (await LoadAsync(venueId, cancellationToken) is { } missing)
        {
            return missing;
        }
        var starts = Utc(startsAt);
        if (starts is null || Utc(endsAt) is null || prices is null || prices.Count != Venue!.Sections.Count || prices.Values.Any(p => p is < 0 or > 1_000_000))
        {
            Message = "Give the start, the end and a price for every section.";
            return Page();
        }
        List<long> performers = [];
        if (!string.IsNullOrWhiteSpace(performer))
        {
            var created = await catalog.CreatePerformerAsync(performer.Trim(), cancellationToken);
            if (created.Value is not { } made)
            {
                Message = $"{created.Problem?.Title}: {created.Problem?.Detail}";
                return Page();
            }
            performers.Add(made.PerformerId);
        }
        var answer = await catalog.CreateEventAsync(new
        {
            event_name = eventName,
            description = description ?? "",
            venue_id = venueId,
            performer_ids = performers,
            starts_at = starts,
            ends_at = Utc(endsAt),
            on_sale_at = Utc(onSaleAt) ?? DateTimeOffset.UtcNow,
            prices = prices.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => (long)Math.Round(p.Value * 100)),
            max_tickets_per_user = maxTicketsPerUser,
            waiting_room = waitingRoom,
            refundable_until = refundableDaysBefore is { } days ? starts.Value.AddDays(-days) : (DateTimeOffset?)null,
            refund_fee_cents = 0,
        }, cancellationToken);
        if (answer.Value is { } e)
        {
            return Redirect($"/organizer/events/{e.EventId}");
        }
        Message = $"{answer.Problem?.Title}: {answer.Problem?.Detail}";
        return Page();
    }

    private static DateTimeOffset? Utc(string? local) =>
        DateTime.TryParseExact(local, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var parsed)
            ? new DateTimeOffset(parsed, TimeSpan.Zero)
            : null;

    private async Task<IActionResult?> LoadAsync(long venueId, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        Venue = (await catalog.MyVenuesAsync(cancellationToken)).Value?.FirstOrDefault(v => v.VenueId == venueId);
        return Venue is null ? NotFound() : null;
    }
}
