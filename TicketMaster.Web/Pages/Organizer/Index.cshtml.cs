using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Organizer;

public sealed class OrganizerModel(CatalogClient catalog) : PageModel
{
    /// <summary>Most sections and rows the venue form takes (the API bounds the seats).</summary>
    public const int MaxSections = 50, MaxRows = 200;

    public IReadOnlyList<VenueInfo> Venues { get; private set; } = [];
    public IReadOnlyList<EventDetails> Events { get; private set; } = [];
    public string? Message { get; private set; }
    public bool MessageIsError { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task OnPostVenueAsync(string? name, string? city, string? address, string? sections, CancellationToken cancellationToken)
    {
        if (ParseSections(sections) is not { } parsed)
        {
            (Message, MessageIsError) = ($"Sections: one per line as name, rows, seats per row (at most {MaxSections} sections of {MaxRows} rows).", true);
        }
        else
        {
            var created = await catalog.CreateVenueAsync(new { name, city, address, sections = parsed }, cancellationToken);
            (Message, MessageIsError) = created.Value is { } venue
                ? ($"Created {venue.Name} with {venue.Sections.Sum(s => s.SeatCount)} seats.", false)
                : ($"{created.Problem?.Title}: {created.Problem?.Detail}", true);
        }
        await LoadAsync(cancellationToken);
    }

    // "Stalls, 10, 20" → section Stalls, rows A…J of 20 seats each.
    private static List<object>? ParseSections(string? text)
    {
        var lines = (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length is 0 or > MaxSections)
        {
            return null;
        }
        var sections = new List<object>();
        foreach (var line in lines)
        {
            var parts = line.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 3 || parts[0].Length == 0
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rows) || rows is < 1 or > MaxRows
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seats) || seats < 1)
            {
                return null;
            }
            sections.Add(new { name = parts[0], rows = Enumerable.Range(0, rows).Select(r => new { label = RowLabel(r), seats }).ToList() });
        }
        return sections;
    }

    /// <summary>A, B, …, Z, AA, AB, …</summary>
    public static string RowLabel(int index) => index < 26 ? ((char)('A' + index)).ToString() : RowLabel(index / 26 - 1) + (char)('A' + index % 26);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        Venues = (await catalog.MyVenuesAsync(cancellationToken)).Value ?? [];
        Events = (await catalog.MyEventsAsync(cancellationToken)).Value?.OrderBy(e => e.StartsAt).ToList() ?? [];
    }
}
