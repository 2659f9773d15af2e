using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;

namespace TicketMaster.Web.Pages;

public static class PublicPage
{
    /// <summary>
    /// A page that is the same for everyone who is not signed in may be kept by browsers and CDNs for a few seconds
    /// (a hot event's page is then one request per edge, not one per fan); a signed-in page names its person: private.
    /// </summary>
    public static void Cacheable(this PageModel page, int seconds)
    {
        var headers = page.Response.GetTypedHeaders();
        headers.CacheControl = page.User.Identity?.IsAuthenticated == true
            ? new CacheControlHeaderValue { Private = true, NoStore = true }
            : new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(seconds) };
        page.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Cookie);
    }
}
