using TicketMaster.EventsApi.Dev;
using TicketMaster.EventsApi.Events;
using TicketMaster.EventsApi.Performers;
using TicketMaster.EventsApi.Sales;
using TicketMaster.EventsApi.Search;
using TicketMaster.EventsApi.Staff;
using TicketMaster.EventsApi.Venues;
using TicketMaster.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
try
{
    builder.AddApplicationServices();
}
catch (StartupRefusedException refused)
{
    Console.Error.WriteLine(refused.Message);
    return 1;
}
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseApiDefaults();
app.UseOutputCache();

app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapSearchApi();
app.MapEventsApi();
app.MapStaffApi();
app.MapVenuesApi();
app.MapPerformersApi();
app.MapSaleListingApi();
app.MapDevApi();
// The benchmarks' baseline, the cheapest possible endpoint of this same process (bench/): only when Bench:Endpoints
// is on (the benchmarks' AppHost sets it; run mode and deployments do not).
if (app.Configuration.GetValue("Bench:Endpoints", false))
{
    app.MapGet("/bench/hello", () => "hello").ExcludeFromDescription();
}

app.Run();
return 0;
