using Microsoft.AspNetCore.Mvc;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Events;

public sealed class QueueModel(CatalogClient catalog) : EventPageModel(catalog)
{
    public async Task<IActionResult> OnGetAsync(long eventId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(eventId, cancellationToken) is { } missing)
        {
            return missing;
        }
        return Event!.WaitingRoom ? Page() : Redirect($"/events/{eventId}/seats");
    }
}
