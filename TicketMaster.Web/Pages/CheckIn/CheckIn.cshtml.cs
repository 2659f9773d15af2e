using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.CheckIn;

public sealed record Verdict(string Text, string Css, string Detail);

// Door staff scan or type a ticket's code; the answer is one of three words, big enough to read at arm's length.
public sealed class CheckInModel(BookingClient booking) : PageModel
{
    public const int MaxCodeLength = 2_000;

    public Verdict? Verdict { get; private set; }

    public void OnGet() => Response.Headers.CacheControl = "private, no-store";

    public async Task OnPostAsync(string? code, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "private, no-store";
        code = code?.Trim() ?? "";
        if (code.Length is 0 or > MaxCodeLength)
        {
            Verdict = new Verdict("Not valid", "invalid", "That is not a ticket code.");
            return;
        }
        var answer = await booking.CheckInAsync(code, cancellationToken);
        Verdict = answer.Status switch
        {
            200 when answer.Value is { } ticket => new Verdict("Admitted", "admitted", $"{ticket.Seat.Section}, row {ticket.Seat.Row}, seat {ticket.Seat.Number}"),
            409 => new Verdict("Already used", "used", answer.Problem?.Detail ?? ""),
            >= 500 or 429 => new Verdict("Try again", "used", answer.Problem?.Detail ?? "The check-in service did not answer."),
            _ => new Verdict("Not valid", "invalid", answer.Problem?.Detail ?? ""),
        };
    }
}
