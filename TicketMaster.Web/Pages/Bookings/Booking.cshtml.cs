using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Bookings;

public sealed class BookingModel(BookingClient booking, CatalogClient catalog) : PageModel
{
    public BookingInfo? Booking { get; private set; }
    public string? Message { get; private set; }
    public bool MessageIsError { get; private set; }
    public DateTimeOffset? RefundableUntil { get; private set; }

    /// <summary>The event's policy still refunds, and some ticket is still valid.</summary>
    public bool Cancellable => RefundableUntil > DateTimeOffset.UtcNow && Booking?.CheckInDetails.Tickets.Any(t => t.QrCode is not null) == true;

    public async Task<IActionResult> OnGetAsync(long bookingId, CancellationToken cancellationToken) =>
        await LoadAsync(bookingId, cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostCancelAsync(long bookingId, CancellationToken cancellationToken)
    {
        var answer = await booking.CancelAsync(bookingId, cancellationToken);
        (Message, MessageIsError) = answer.Problem is { } problem ? ($"{problem.Title}: {problem.Detail}", true) : ("Cancelled: the refund is on its way.", false);
        return await LoadAsync(bookingId, cancellationToken) ?? Page();
    }

    public async Task<IActionResult> OnPostTransferAsync(long bookingId, long ticketId, string? toUserId, CancellationToken cancellationToken)
    {
        var answer = await booking.TransferAsync(ticketId, toUserId?.Trim() ?? "", cancellationToken);
        (Message, MessageIsError) = answer.Problem is { } problem
            ? ($"{problem.Title}: {problem.Detail}", true)
            : ($"Ticket {ticketId} now belongs to {toUserId}; its old code no longer admits anyone.", false);
        return await LoadAsync(bookingId, cancellationToken) ?? Page();
    }

    private async Task<IActionResult?> LoadAsync(long bookingId, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        var answer = await booking.BookingAsync(bookingId, cancellationToken);
        if (answer.Value is null)
        {
            return StatusCode(answer.Status is 404 ? 404 : 503);
        }
        Booking = answer.Value;
        RefundableUntil = (await catalog.EventAsync(Booking.EventDetails.EventId, cancellationToken)).Value?.RefundPolicy.RefundableUntil;
        return null;
    }
}
