using TicketMaster.ServiceDefaults;
using TicketMaster.Web.Extensions;
using TicketMaster.Web.Proxy;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
try
{
    builder.AddWebApp();
}
catch (StartupRefusedException refused)
{
    Console.Error.WriteLine(refused.Message);
    return 1;
}

var app = builder.Build();

app.UseWebApp();

app.MapDefaultEndpoints();
app.MapApiProxy();
app.MapStaticAssets();
app.MapRazorPages();

app.Run();
return 0;
