using System.Net;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Reservations;

// A user id is the JWT subject, compared exactly everywhere: a subject that differs from a fan's only in letter case
// or an accent is somebody else, in Redis and in MySQL alike (the user id columns compare byte for byte).
[Collection(AppHostCollection.Name)]
public sealed class IdentityTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_user_id_differing_only_in_case_or_accent_sees_nothing_of_the_fans()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var owner = $"alice-{tag}";
        using var alice = sale.Fan(owner);
        var reservationId = await BookingSetup.ReservationIdAsync(alice, sale.EventId, sale.SeatIds[0]);
        var booking = await (await BookingSetup.ConfirmAsync(alice, reservationId)).ReadJsonAsync();
        var bookingId = booking.Id("booking_id");
        var pending = await BookingSetup.ReservationIdAsync(alice, sale.EventId, sale.SeatIds[1]);
        Assert.Single((await alice.GetJsonAsync("/v1/booking/bookings")).EnumerateArray());

        foreach (var lookalike in new[] { $"ALICE-{tag}", $"Alice-{tag}", $"álice-{tag}", $"alıce-{tag}" })
        {
            using var other = sale.Fan(lookalike);
            Assert.Empty((await other.GetJsonAsync("/v1/booking/bookings")).EnumerateArray());
            await (await other.GetAsync($"/v1/booking/bookings/{bookingId}")).AssertProblemAsync(404);
            await (await other.GetAsync($"/v1/booking/confirmations/{reservationId}")).AssertProblemAsync(404);
            await (await BookingSetup.ConfirmAsync(other, pending)).AssertProblemAsync(404);
            await (await other.DeleteAsync($"/v1/booking/reservations/{pending}")).AssertProblemAsync(404);
        }

        // Alice still has everything, and her lookalikes bought nothing in her name.
        Assert.Equal(bookingId, (await alice.GetJsonAsync($"/v1/booking/bookings/{bookingId}")).Id("booking_id"));
        Assert.Equal("confirmed", (await alice.GetJsonAsync($"/v1/booking/confirmations/{reservationId}")).GetProperty("status").GetString());
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_token_without_a_subject_or_with_one_longer_than_a_user_id_is_401()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        var tokens = new TokenSettings(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(AppHostFixture.JwtSigningKey)));
        using var noSubject = fixture.App.CreateHttpClient("bookingapi");
        noSubject.DefaultRequestHeaders.Authorization = new("Bearer", tokens.Issue([new Claim("role", Roles.Staff)], TimeSpan.FromMinutes(5)));
        using var events = fixture.App.CreateHttpClient("eventsapi");
        events.DefaultRequestHeaders.Authorization = new("Bearer", tokens.Issue([new Claim("role", Roles.Organizer)], TimeSpan.FromMinutes(5)));

        await (await noSubject.GetAsync("/v1/booking/bookings")).AssertProblemAsync(401);
        await (await BookingSetup.ReserveAsync(noSubject, sale.EventId, sale.SeatIds[0])).AssertProblemAsync(401);
        await (await events.PostJsonAsync("/v1/performers", new { name = "Anonymous Act" })).AssertProblemAsync(401);

        // Too long for the columns, or what a PAD SPACE comparison would take for another fan's id.
        foreach (var refused in new[] { new string('x', UserIds.MaxLength + 1), "padded-fan ", " padded-fan", "line\nbreak" })
        {
            using var client = sale.Fan(refused);
            await (await BookingSetup.ReserveAsync(client, sale.EventId, sale.SeatIds[0])).AssertProblemAsync(401);
        }

        // The longest accepted subject books end to end (the user id columns hold it whole).
        var longest = "long-" + new string('y', UserIds.MaxLength - 5);
        using var fan = sale.Fan(longest);
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(fan, reservationId)).StatusCode);
        Assert.Single((await fan.GetJsonAsync("/v1/booking/bookings")).EnumerateArray());
        await sale.AssertInvariantsAsync();
    }
}
