using TicketMaster.EventsApi.Dev;
using TicketMaster.EventsApi.Events;
using TicketMaster.EventsApi.Performers;
using TicketMaster.EventsApi.Search;
using TicketMaster.EventsApi.Venues;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseApiDefaults();
app.UseOutputCache();

app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapSearchApi();
app.MapEventsApi();
app.MapVenuesApi();
app.MapPerformersApi();
app.MapDevApi(app.Configuration);
// The benchmarks' baseline: the cheapest possible endpoint of this same process (bench/).
app.MapGet("/bench/hello", () => "hello").ExcludeFromDescription();

app.Run();
