using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace TicketMaster.Web.Pages;

[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";
    public string Text { get; private set; } = "Please try again in a moment.";

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        Response.Headers.CacheControl = "no-store";
        (Title, Text) = status switch
        {
            404 => ("Not found", "There is nothing at this address."),
            400 => ("That did not look right", "The request could not be read."),
            403 => ("Not for you", "Your account may not open this page."),
            503 => ("Back in a moment", "A service this page needs did not answer; try again shortly."),
            _ => (Title, Text),
        };
    }
}
