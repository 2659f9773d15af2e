using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages;

public sealed class IndexModel(CatalogClient catalog) : PageModel
{
    public IReadOnlyList<EventHit>? Upcoming { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        Upcoming = (await catalog.SearchAsync($"from={from}&page_size=12", cancellationToken)).Value?.Items
            .OrderBy(e => e.StartsAt).ToList();
        this.Cacheable(10);
    }
}
