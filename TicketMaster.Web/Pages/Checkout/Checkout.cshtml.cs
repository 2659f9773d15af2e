using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Checkout;

// The hold's summary and the payment. Paying is a form post handled here (it works without JavaScript); a
// declined card keeps the hold, so the fan can try another before it ends.
public sealed class CheckoutModel(BookingClient booking, CatalogClient catalog, IConfiguration configuration, IHostEnvironment environment)
    : PageModel
{
    /// <summary>Stripe's test payment methods: what the local (and any test-mode) provider accepts.</summary>
    public static readonly (string Value, string Label)[] TestCards =
    [
        ("pm_card_visa", "Visa ending 4242 (succeeds)"),
        ("pm_card_mastercard", "Mastercard ending 4444 (succeeds)"),
        ("pm_card_chargeDeclined", "Card ending 0002 (declined)"),
    ];

    public ReservationInfo? Reservation { get; private set; }
    public EventDetails? Event { get; private set; }
    public string? Message { get; private set; }

    /// <summary>With a publishable key the card is Stripe's element; test cards only in Development without one.</summary>
    public string? StripeKey => configuration["Payments:Stripe:PublishableKey"] is { Length: > 0 } key ? key : null;

    [BindProperty] public string? PaymentMethod { get; set; }

    public async Task<IActionResult> OnGetAsync(string reservationId, CancellationToken cancellationToken) =>
        await LoadAsync(reservationId, cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAsync(string reservationId, CancellationToken cancellationToken)
    {
        var method = PaymentMethod ?? "";
        if (method.Length is 0 or > 200 || (StripeKey is null && !TestCards.Any(c => c.Value == method)) || (StripeKey is null && !environment.IsDevelopment()))
        {
            Message = "Choose a way to pay.";
            return await LoadAsync(reservationId, cancellationToken) ?? Page();
        }
        var answer = await booking.ConfirmAsync(reservationId, method, cancellationToken);
        if (answer.Status is 201 or 200 && answer.Value.TryGetProperty("booking_id", out var bookingId))
        {
            return Redirect($"/bookings/{bookingId.GetInt64()}");
        }
        if (answer.Status == 202)
        {
            return Redirect($"/checkout/{Uri.EscapeDataString(reservationId)}/pending");
        }
        Message = answer.Status == 402
            ? $"{answer.Problem?.Detail ?? "Your card was declined."} Your seats are still held: try another card."
            : $"{answer.Problem?.Title}: {answer.Problem?.Detail}";
        return await LoadAsync(reservationId, cancellationToken) ?? Page();
    }

    public async Task<IActionResult> OnPostReleaseAsync(string reservationId, CancellationToken cancellationToken)
    {
        var released = await booking.ReleaseAsync(reservationId, cancellationToken);
        var eventId = (await booking.ReservationAsync(reservationId, cancellationToken)).Value?.EventId;
        return released.Problem is null ? Redirect(eventId is null ? "/" : $"/events/{eventId}") : await LoadAsync(reservationId, cancellationToken) ?? Page();
    }

    // The hold, or where to go instead: its booking once paid, the event once it lapsed.
    private async Task<IActionResult?> LoadAsync(string reservationId, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        var answer = await booking.ReservationAsync(reservationId, cancellationToken);
        if (answer.Value is { } reservation)
        {
            Reservation = reservation;
            Event = (await catalog.EventAsync(reservation.EventId, cancellationToken)).Value;
            return null;
        }
        if (answer.Status == 410)
        {
            var confirmation = await booking.ConfirmationAsync(reservationId, cancellationToken);
            if (confirmation.Value?.Booking is { } paid)
            {
                return Redirect($"/bookings/{paid.BookingId}");
            }
            return RedirectToPage("/Checkout/Ended");
        }
        return NotFound();
    }
}
