using System.Net;
using System.Security.Cryptography;
using System.Text;
using MySqlConnector;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Payments;

[Collection(AppHostCollection.Name)]
public sealed class StripeWebhookTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_bad_or_missing_signature_is_refused()
    {
        using var http = fixture.App.CreateHttpClient("bookingapi");
        var payload = Event("evt_forged_" + Guid.NewGuid().ToString("N"), "payment_intent.succeeded", "pi_x");

        await (await PostAsync(http, payload, Sign(payload, "whsec_someone_else"))).AssertProblemAsync(400);
        await (await PostAsync(http, payload, null)).AssertProblemAsync(400);
    }

    [Fact]
    public async Task An_event_is_processed_once()
    {
        using var http = fixture.App.CreateHttpClient("bookingapi");
        var eventId = "evt_once_" + Guid.NewGuid().ToString("N");
        var payload = Event(eventId, "payment_intent.succeeded", "pi_unknown_to_us");

        var first = await (await PostAsync(http, payload, Sign(payload, AppHostFixture.StripeWebhookSecret))).ReadJsonAsync();
        var again = await (await PostAsync(http, payload, Sign(payload, AppHostFixture.StripeWebhookSecret))).ReadJsonAsync();

        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using var count = new MySqlCommand("SELECT COUNT(*) FROM processed_message WHERE id = @id", db);
        count.Parameters.AddWithValue("@id", "stripe:" + eventId);
        Assert.Equal(1L, Convert.ToInt64(await count.ExecuteScalarAsync()));
    }

    [Fact]
    public async Task A_payment_that_succeeds_after_the_hold_expired_and_the_seat_was_taken_is_refunded()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 1);
        using var slow = sale.Fan("slow-payer");
        using var quick = sale.Fan("quick-payer");
        var lapsed = (await (await BookingSetup.ReserveAsync(slow, sale.EventId, sale.SeatIds[0])).ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
        await Task.Delay(AppHostFixture.HoldTtl + TimeSpan.FromSeconds(1));
        var taken = (await (await BookingSetup.ReserveAsync(quick, sale.EventId, sale.SeatIds[0])).ReadJsonAsync()).GetProperty("reservation_id").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ConfirmAsync(quick, taken)).StatusCode);

        // The slow payer's confirm gave up waiting for the provider, which charged the card after all.
        var intent = fixture.Stripe.CreateCapturedIntent(2500);
        await using var db = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await db.OpenAsync();
        await using (var insert = new MySqlCommand("""
            INSERT INTO payment (reservation_id, user_id, event_id, amount_cents, provider, provider_ref, idempotency_key, method, status)
            VALUES (@r, 'slow-payer', @e, 2500, 'stripe', @intent, @key, 'pm_card_visa', 'authorized')
            """, db))
        {
            insert.Parameters.AddWithValue("@r", lapsed);
            insert.Parameters.AddWithValue("@e", sale.EventId);
            insert.Parameters.AddWithValue("@intent", intent);
            insert.Parameters.AddWithValue("@key", lapsed + ":pm_card_visa");
            await insert.ExecuteNonQueryAsync();
        }

        using var http = fixture.App.CreateHttpClient("bookingapi");
        var payload = Event("evt_late_" + Guid.NewGuid().ToString("N"), "payment_intent.succeeded", intent);
        var receipt = await (await PostAsync(http, payload, Sign(payload, AppHostFixture.StripeWebhookSecret))).ReadJsonAsync();

        Assert.Equal("refunded", receipt.GetProperty("action").GetString());
        await using var status = new MySqlCommand("SELECT status FROM payment WHERE reservation_id = @r", db);
        status.Parameters.AddWithValue("@r", lapsed);
        Assert.Equal("refunded", (string?)await status.ExecuteScalarAsync());
        Assert.Contains(fixture.Stripe.Requests, r => r.Path == "/v1/refunds" && r.Form.GetValueOrDefault("payment_intent") == intent);
        await sale.AssertInvariantsAsync();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string payload, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments/stripe/webhook")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }
        return http.SendAsync(request);
    }

    // Stripe's scheme: t=timestamp,v1=hex(HMAC-SHA256(secret, "{t}.{payload}")).
    private static string Sign(string payload, string secret)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}")));
        return $"t={timestamp},v1={signature}";
    }

    private static string Event(string id, string type, string intentId) => new System.Text.Json.Nodes.JsonObject
    {
        ["id"] = id,
        ["object"] = "event",
        ["api_version"] = "2025-01-27.acacia",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["type"] = type,
        ["data"] = new System.Text.Json.Nodes.JsonObject
        {
            ["object"] = new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = intentId,
                ["object"] = "payment_intent",
                ["amount"] = 2500,
                ["amount_received"] = 2500,
                ["currency"] = "usd",
                ["status"] = "succeeded",
                ["capture_method"] = "manual",
                ["livemode"] = false,
                ["metadata"] = new System.Text.Json.Nodes.JsonObject(),
            },
        },
    }.ToJsonString();
}
