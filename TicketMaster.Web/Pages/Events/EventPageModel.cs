using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Events;

/// <summary>A page about one event: its details from the catalog, or the catalog's 404 (503 while it is away).</summary>
public abstract class EventPageModel(CatalogClient catalog) : PageModel
{
    public EventDetails? Event { get; private set; }

    /// <summary>Reads the event → null when it is there (<see cref="Event"/> set), else the answer to give.</summary>
    protected async Task<IActionResult?> LoadAsync(long eventId, CancellationToken cancellationToken)
    {
        var answer = await catalog.EventAsync(eventId, cancellationToken);
        if (answer.Value is null)
        {
            return StatusCode(answer.Status is 404 ? 404 : 503);
        }
        Event = answer.Value;
        return null;
    }
}
