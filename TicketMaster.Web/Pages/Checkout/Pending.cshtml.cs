using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Checkout;

public sealed class PendingModel(BookingClient booking) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string reservationId, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        var status = await booking.ConfirmationAsync(reservationId, cancellationToken);
        return status.Value switch
        {
            { Booking: { } paid } => Redirect($"/bookings/{paid.BookingId}"),
            { Status: "failed" } => RedirectToPage("/Checkout/Ended"),
            null when status.Status == 404 => NotFound(),
            _ => Page(),
        };
    }
}
