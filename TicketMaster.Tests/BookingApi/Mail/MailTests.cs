using System.Net;
using System.Text.Json;
using MimeKit;
using MySqlConnector;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Mail;

// Fans' mail, as the run's real SMTP server (aiosmtpd) received it: the tickets with their QR codes on booking, and a
// mail on refund, on transfer (both sides), on a new date and on cancellation. Owed in the transaction of the change,
// sent at least once, each with a Message-Id that stays the same when it is sent again.
[Collection(AppHostCollection.Name)]
public sealed class MailTests(AppHostFixture fixture)
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static async Task<JsonElement> BookAsync(HttpClient fan, BookingSetup sale, params long[] seatIds)
    {
        var response = await BookingSetup.ConfirmAsync(fan, await BookingSetup.ReservationIdAsync(fan, sale.EventId, seatIds));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    private static List<JsonElement> Tickets(JsonElement booking) =>
        booking.GetProperty("check_in_details").GetProperty("tickets").EnumerateArray().ToList();

    private static string Address(string who) => $"{who}-{Guid.NewGuid():N}@fans.test";

    private async Task<string> EventNameAsync(BookingSetup sale)
    {
        using var anonymous = fixture.App.CreateHttpClient("eventsapi");
        return (await anonymous.GetJsonAsync($"/v1/events/{sale.EventId}")).GetProperty("event_name").GetString()!;
    }

    [Fact]
    public async Task A_booking_mails_its_tickets_as_QR_images_then_a_transfer_mails_both_sides_and_a_refund_the_buyer()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3, refundableUntil: DateTimeOffset.UtcNow.AddDays(3), refundFeeCents: 100);
        var name = await EventNameAsync(sale);
        var (buyerMail, receiverMail) = (Address("buyer"), Address("receiver"));
        using var buyer = sale.FanWithEmail("mail-buyer-" + sale.EventId, buyerMail);
        using var receiver = sale.FanWithEmail("mail-receiver-" + sale.EventId, receiverMail);
        var booking = await BookAsync(buyer, sale, sale.SeatIds[0], sale.SeatIds[1]);
        var tickets = Tickets(booking);

        var confirmation = await fixture.MailAsync(buyerMail, $"Your tickets for {name}");
        var number = booking.GetProperty("confirmation_number").GetString()!;
        Assert.Contains(number, confirmation.Subject);
        Assert.StartsWith($"booking_confirmed.{booking.Id("booking_id")}.0.", confirmation.MessageId);
        Assert.EndsWith("@ticketmaster.local", confirmation.MessageId);
        Assert.Equal("tickets@ticketmaster.local", confirmation.From.Mailboxes.Single().Address);
        foreach (var ticket in tickets)
        {
            Assert.Contains(ticket.GetProperty("qr_code").GetString()!, confirmation.TextBody);
            Assert.Contains(ticket.GetProperty("qr_code").GetString()!, confirmation.HtmlBody);
        }
        // One PNG per ticket, inside the message, each shown by the HTML part.
        var images = confirmation.BodyParts.OfType<MimePart>().Where(p => p.ContentType.MimeType == "image/png").ToList();
        Assert.Equal(2, images.Count);
        Assert.All(confirmation.Images(), png => Assert.Equal(PngSignature, png.Take(8)));
        Assert.All(images, image => Assert.Contains($"cid:{image.ContentId}", confirmation.HtmlBody));

        // The recipient's address is known from their token once they have looked at their tickets.
        Assert.Empty((await receiver.GetJsonAsync("/v1/booking/tickets")).EnumerateArray());
        var given = tickets[0];
        Assert.Equal(HttpStatusCode.OK, (await buyer.PostJsonAsync($"/v1/booking/tickets/{given.Id("ticket_id")}/transfer",
            new { to_user_id = "mail-receiver-" + sale.EventId })).StatusCode);
        var newCode = (await receiver.GetJsonAsync("/v1/booking/tickets")).EnumerateArray().Single().GetProperty("qr_code").GetString()!;
        var sent = await fixture.MailAsync(buyerMail, $"You transferred a ticket for {name}");
        Assert.DoesNotContain(newCode, sent.TextBody);
        Assert.Empty(sent.Images());
        var received = await fixture.MailAsync(receiverMail, $"A ticket for {name} is yours");
        Assert.Contains(newCode, received.TextBody);
        Assert.DoesNotContain(given.GetProperty("qr_code").GetString()!, received.TextBody);
        Assert.Single(received.Images());

        var kept = tickets[1];
        Assert.Equal(HttpStatusCode.OK, (await buyer.PostJsonAsync($"/v1/booking/bookings/{booking.Id("booking_id")}/cancel",
            new { ticket_ids = new[] { kept.Id("ticket_id") } })).StatusCode);
        var refund = await fixture.MailAsync(buyerMail, $"Your refund for {name}");
        var price = kept.GetProperty("price_cents").GetInt64();
        Assert.Contains($"{(price - 100) / 100m:0.00} is on its way back", refund.TextBody);
        Assert.Contains("1.00 kept as the organizer's refund fee", refund.TextBody);
        // Each mail once: nothing more arrived for either fan.
        Assert.Equal(3, fixture.To(buyerMail).Count);
        Assert.Single(fixture.To(receiverMail));
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_new_date_mails_every_holder_and_cancelling_the_event_mails_the_buyer_their_refund_and_the_holder_of_a_given_ticket()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 3);
        var name = await EventNameAsync(sale);
        var (buyerMail, holderMail, otherMail) = (Address("buyer"), Address("holder"), Address("other"));
        using var buyer = sale.FanWithEmail("resched-buyer-" + sale.EventId, buyerMail);
        using var holder = sale.FanWithEmail("resched-holder-" + sale.EventId, holderMail);
        using var other = sale.FanWithEmail("resched-other-" + sale.EventId, otherMail);
        var booking = await BookAsync(buyer, sale, sale.SeatIds[0], sale.SeatIds[1]);
        await holder.GetJsonAsync("/v1/booking/tickets");
        Assert.Equal(HttpStatusCode.OK, (await buyer.PostJsonAsync($"/v1/booking/tickets/{Tickets(booking)[0].Id("ticket_id")}/transfer",
            new { to_user_id = "resched-holder-" + sale.EventId })).StatusCode);
        await BookAsync(other, sale, sale.SeatIds[2]);
        await fixture.MailAsync(otherMail, $"Your tickets for {name}");

        var newStart = DateTimeOffset.UtcNow.AddDays(20).Date.AddHours(19);
        var moved = await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}",
            new { starts_at = new DateTimeOffset(newStart, TimeSpan.Zero), ends_at = new DateTimeOffset(newStart.AddHours(3), TimeSpan.Zero) });
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        var when = newStart.ToString("dddd d MMMM yyyy, HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var address in new[] { buyerMail, holderMail, otherMail })
        {
            var rescheduled = await fixture.MailAsync(address, $"New date for {name}");
            Assert.Contains(when, rescheduled.TextBody);
            Assert.Contains("stay valid", rescheduled.TextBody);
        }

        Assert.True((await sale.Catalog.Http.PatchJsonAsync($"/v1/events/{sale.EventId}", new { status = "cancelled" })).IsSuccessStatusCode);
        var refund = await fixture.MailAsync(buyerMail, $"Cancelled: {name} — your refund");
        Assert.Contains("refunded in full", refund.TextBody);
        Assert.Contains(booking.GetProperty("confirmation_number").GetString()!, refund.TextBody);
        var holderNotice = await fixture.MailAsync(holderMail, $"Cancelled: {name}");
        Assert.Contains("no longer admit", holderNotice.TextBody);
        await fixture.MailAsync(otherMail, $"Cancelled: {name} — your refund");
        // Each fan heard of each change once: the buyer of the tickets, the transfer, the new date and the refund.
        Assert.Equal(4, fixture.To(buyerMail).Count);
        Assert.Equal(3, fixture.To(holderMail).Count);
        Assert.Equal(3, fixture.To(otherMail).Count);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Mail_owed_while_the_mail_server_is_down_goes_out_when_it_is_back_and_a_resent_mail_keeps_its_Message_Id()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 2);
        var address = Address("outage");
        using var fan = sale.FanWithEmail("mail-outage-" + sale.EventId, address);
        using var anonymousFan = sale.Fan("mail-no-address-" + sale.EventId);
        long bookingId = 0;
        await fixture.RestartAsync("mail", async () =>
        {
            bookingId = (await BookAsync(fan, sale, sale.SeatIds[0])).Id("booking_id");
            // The sender tried and was refused: the mail stays owed.
            await Eventually.TrueAsync(async () => (await MailRowAsync(bookingId)).Attempts >= 1, TimeSpan.FromSeconds(10), "a refused attempt");
            Assert.Equal("pending", (await MailRowAsync(bookingId)).Status);
        });
        var first = await fixture.MailAsync(address, "Your tickets for");
        Assert.Equal("sent", (await MailRowAsync(bookingId)).Status);

        // Sent again (as after a crash between the server's acceptance and the mark): the same message, the same id.
        await using (var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking")))
        {
            await db.OpenAsync();
            await using var again = new MySqlCommand(
                "UPDATE mail SET status = 'pending', next_attempt_at = CURRENT_TIMESTAMP(3) WHERE kind = 'booking_confirmed' AND subject_id = @b", db);
            again.Parameters.AddWithValue("@b", bookingId);
            Assert.Equal(1, await again.ExecuteNonQueryAsync());
        }
        await fixture.MailAsync(address, "Your tickets for", count: 2);
        Assert.Equal([first.MessageId, first.MessageId], fixture.To(address).Select(m => m.MessageId));

        // A fan whose token carries no address is owed nothing that could be sent: the mail ends as no_address.
        var unmailed = (await BookAsync(anonymousFan, sale, sale.SeatIds[1])).Id("booking_id");
        await Eventually.TrueAsync(async () => (await MailRowAsync(unmailed)).Status == "no_address", TimeSpan.FromSeconds(10), "no address");
        await sale.AssertInvariantsAsync();
    }

    private async Task<(string Status, int Attempts)> MailRowAsync(long bookingId)
    {
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var read = new MySqlCommand("SELECT status, attempts FROM mail WHERE kind = 'booking_confirmed' AND subject_id = @b", db);
        read.Parameters.AddWithValue("@b", bookingId);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"booking {bookingId} owes no mail");
        return (reader.GetString(0), reader.GetInt32(1));
    }
}
