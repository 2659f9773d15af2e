using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Invariants;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
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
app.MapStripeWebhookApi();
// The benchmarks' baseline: the cheapest possible endpoint of this same process (bench/).
app.MapGet("/bench/hello", () => "hello").ExcludeFromDescription();
// The same behind JWT validation: separates what authentication costs from what a reserve costs (bench/).
app.MapGet("/bench/hello-auth", () => "hello").RequireAuthorization().ExcludeFromDescription();
if (app.Environment.IsDevelopment())
{
    // The SSE memory benchmark reads this process's footprint after a full collection (never in production: a GC on demand).
    app.MapGet("/bench/memory", (SeatStreamHub hub) =>
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new { working_set_bytes = process.WorkingSet64, managed_heap_bytes = GC.GetTotalMemory(false), seat_stream_clients = hub.Clients };
    }).ExcludeFromDescription();
}

app.Run();
return 0;
