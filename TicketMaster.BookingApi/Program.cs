using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Invariants;
using TicketMaster.BookingApi.Payments;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.BookingApi.Seats;
using TicketMaster.BookingApi.WaitingRoom;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
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

app.Run();
