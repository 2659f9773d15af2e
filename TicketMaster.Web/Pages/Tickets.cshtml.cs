using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages;

public sealed class TicketsModel(BookingClient booking) : PageModel
{
    public IReadOnlyList<BookingInfo>? Bookings { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        Bookings = (await booking.BookingsAsync(cancellationToken)).Value?.OrderBy(b => b.EventDetails.StartsAt).ToList();
    }
}
