using Microsoft.AspNetCore.Mvc;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Events;

public sealed class SeatsModel(CatalogClient catalog) : EventPageModel(catalog)
{
    public async Task<IActionResult> OnGetAsync(long eventId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(eventId, cancellationToken) is { } missing)
        {
            return missing;
        }
        // The seats themselves come live from the API; the page around them is the same for everyone.
        this.Cacheable(30);
        return Page();
    }
}
