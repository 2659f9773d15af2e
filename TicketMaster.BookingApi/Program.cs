using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Invariants;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.Sales;
using TicketMaster.BookingApi.Tickets;
using TicketMaster.BookingApi.WaitingRoom;
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

app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapSeatsApi();
app.MapSeatStreamApi();
app.MapWaitingRoomApi();
app.MapReservationsApi();
app.MapConfirmApi();
app.MapConfirmationsApi();
app.MapInvariantsApi();
app.MapBookingsApi();
app.MapCancellationProgressApi();
app.MapSalesApi();
app.MapTicketsApi();
app.MapStripeWebhookApi();
// The benchmarks' baselines (bench/), mapped only when Bench:Endpoints is on: the benchmarks' AppHost sets it, run
// mode and deployments do not.
if (app.Configuration.GetValue("Bench:Endpoints", false))
{
    // The cheapest possible endpoint of this same process, and the same behind JWT validation (what authentication
    // costs, apart from what a reserve costs).
    app.MapGet("/bench/hello", () => "hello").ExcludeFromDescription();
    app.MapGet("/bench/hello-auth", () => "hello").RequireAuthorization().ExcludeFromDescription();
    // The SSE memory benchmark reads this process's footprint after a full collection that also gives the collector's
    // free space back to the system: what is left is what the open streams keep, not what opening them churned.
    app.MapGet("/bench/memory", (SeatStreamHub hub) =>
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new { working_set_bytes = process.WorkingSet64, managed_heap_bytes = GC.GetTotalMemory(false), seat_stream_clients = hub.Clients };
    }).ExcludeFromDescription();
}

app.Run();
return 0;
