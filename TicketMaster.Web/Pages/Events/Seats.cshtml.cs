using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Events;

public sealed class SeatsModel(CatalogClient catalog) : PageModel
{
    public EventDetails? Event { get; private set; }

    public async Task<IActionResult> OnGetAsync(long eventId, CancellationToken cancellationToken)
    {
        var answer = await catalog.EventAsync(eventId, cancellationToken);
        if (answer.Value is null)
        {
            return StatusCode(answer.Status is 404 ? 404 : 503);
        }
        Event = answer.Value;
        // The seats themselves come live from the API; the page around them is the same for everyone.
        this.Cacheable(30);
        return Page();
    }
}
