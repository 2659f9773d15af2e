using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Account;

namespace TicketMaster.Web.Pages.Account;

public sealed class SignOutModel(IConfiguration configuration) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Sessions.Oidc(configuration)
            ? SignOut(new AuthenticationProperties { RedirectUri = "/" }, Sessions.OidcScheme)
            : Redirect("/");
    }
}
