using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Events;

public sealed class DetailsModel(CatalogClient catalog) : PageModel
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
        this.Cacheable(5);
        return Page();
    }
}
