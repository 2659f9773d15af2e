using TicketMaster.Web.Account;
using TicketMaster.Web.Api;
using TicketMaster.Web.Demo;
using TicketMaster.Web.Proxy;

namespace TicketMaster.Web.Extensions;

public static class Extensions
{
    public static void AddWebApp(this IHostApplicationBuilder builder)
    {
        builder.AddTrustedProxies();
        builder.AddSignIn();
        builder.AddApiClients();
        builder.AddApiProxy();
        builder.AddDemoCatalog();
        builder.Services.AddRazorPages(options =>
        {
            // Pages that act for a signed-in person; the rest (home, search, event details, seat map) are public.
            options.Conventions.AuthorizeFolder("/Checkout");
            options.Conventions.AuthorizeFolder("/Bookings");
            options.Conventions.AuthorizePage("/Tickets");
            options.Conventions.AuthorizePage("/Events/Queue");
            options.Conventions.AuthorizeFolder("/Organizer", Sessions.OrganizerPolicy);
            options.Conventions.AuthorizeFolder("/CheckIn", Sessions.StaffPolicy);
        });
        builder.Services.AddAntiforgery(options => options.Cookie.Name = "tm.antiforgery");
    }

    public static WebApplication UseWebApp(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler("/error");
        app.UseStatusCodePagesWithReExecute("/error", "?status={0}");
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }
}
