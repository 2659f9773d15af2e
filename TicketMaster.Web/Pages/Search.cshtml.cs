using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages;

public sealed class SearchModel(CatalogClient catalog) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")] public string? Q { get; set; }
    [BindProperty(SupportsGet = true, Name = "city")] public string? City { get; set; }
    [BindProperty(SupportsGet = true, Name = "from")] public string? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "to")] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public SearchForm Form => new(Q, City, From, To);
    public SearchResult? Result { get; private set; }
    public Problem? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var query = new List<string> { $"page={Math.Max(1, PageNumber)}" };
        Add(query, "q", Q);
        Add(query, "city", City);
        // The form's dates are days: from the start of "from" to the end of "to".
        Add(query, "from", Day(From, TimeSpan.Zero));
        Add(query, "to", Day(To, TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1)));
        var answer = await catalog.SearchAsync(string.Join('&', query), cancellationToken);
        (Result, Problem) = (answer.Value, answer.Problem);
        this.Cacheable(5);
    }

    public string WithCity(string? city) => Link(Q, city, From, To, 1);

    public string Page(int page) => Link(Q, City, From, To, page);

    private static string Link(string? q, string? city, string? from, string? to, int page)
    {
        var query = new List<string>();
        Add(query, "q", q);
        Add(query, "city", city);
        Add(query, "from", from);
        Add(query, "to", to);
        if (page > 1)
        {
            query.Add($"page={page}");
        }
        return "/search" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    private static void Add(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            query.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
        }
    }

    private static string? Day(string? value, TimeSpan offset) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + offset).ToString("O")
            : value;
}
