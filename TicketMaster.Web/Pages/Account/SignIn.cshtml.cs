using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketMaster.Web.Account;
using TicketMaster.Web.Api;

namespace TicketMaster.Web.Pages.Account;

public sealed class SignInModel(CatalogClient catalog, IConfiguration configuration, IHostEnvironment environment) : PageModel
{
    private static readonly string[] OfferedRoles = ["organizer", "staff"];

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string? UserId { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public List<string> Roles { get; set; } = [];

    public bool DevSignIn => Sessions.DevSignIn(configuration, environment);
    public string? Message { get; private set; }

    public IActionResult OnGet()
    {
        // With an identity provider, signing in is its page; back here afterwards.
        return Sessions.Oidc(configuration)
            ? Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl() }, Sessions.OidcScheme)
            : Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!DevSignIn)
        {
            return NotFound();
        }
        var userId = UserId?.Trim() ?? "";
        var email = string.IsNullOrWhiteSpace(Email) ? null : Email.Trim();
        var roles = Roles.Where(OfferedRoles.Contains).Distinct().ToList();
        var token = await catalog.DevTokenAsync(userId, email, roles, cancellationToken);
        if (token.Value is not { } issued)
        {
            Message = token.Problem?.Detail ?? "Could not sign in.";
            return Page();
        }
        await HttpContext.SignInWithTokenAsync(userId, email, roles, issued.AccessToken, TimeSpan.FromSeconds(issued.ExpiresIn));
        return LocalRedirect(SafeReturnUrl());
    }

    // Only a path of this site: a return address elsewhere would make the sign-in page an open redirect.
    private string SafeReturnUrl() => ReturnUrl is { Length: > 0 and <= 2000 } url && Url.IsLocalUrl(url) ? url : "/";
}
