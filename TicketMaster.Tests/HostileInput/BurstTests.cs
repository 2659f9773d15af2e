using System.Net;
using System.Text;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.HostileInput;

// Limits kept in Redis (RateLimits:*): a burst from one fan, or at the webhook from one address, is answered 429 with
// Retry-After as problem details; nothing fails with a 5xx and the sale invariants hold.
[Collection(AppHostCollection.Name)]
public sealed class BurstTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Four_hundred_reserves_in_a_second_from_one_fan_are_mostly_429_and_never_5xx()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 50);
        using var fan = sale.Fan("bursting-fan");
        using var neighbour = sale.Fan("calm-neighbour");

        var responses = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => BookingSetup.ReserveAsync(fan, sale.EventId, sale.SeatIds[i % 40])));

        Assert.DoesNotContain(responses, r => (int)r.StatusCode >= 500);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(limited.Count >= 400 - 30, $"{limited.Count} of 400 were 429 (30 per 10 s allowed)");
        var problem = await limited[0].AssertProblemAsync(429);
        Assert.Equal("Too many requests", problem.GetProperty("title").GetString());
        Assert.True(int.Parse(limited[0].Headers.GetValues("Retry-After").Single()) is >= 1 and <= 10);
        // Another fan on the same address is not held back by the first one's burst.
        Assert.Equal(HttpStatusCode.Created, (await BookingSetup.ReserveAsync(neighbour, sale.EventId, sale.SeatIds[45])).StatusCode);
        await sale.AssertInvariantsAsync();
    }

    [Fact]
    public async Task A_flood_at_the_webhook_from_one_address_is_cut_off_at_its_limit()
    {
        using var http = fixture.App.CreateHttpClient("bookingapi");
        Task<HttpResponseMessage> PostAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments/stripe/webhook")
            {
                Content = new StringContent("{\"id\":\"evt_flood\"}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Stripe-Signature", "t=1,v1=00");
            return http.SendAsync(request);
        }
        var responses = await Task.WhenAll(Enumerable.Range(0, AppHostFixture.WebhookPerAddress * 3).Select(_ => PostAsync()));

        Assert.DoesNotContain(responses, r => (int)r.StatusCode >= 500);
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests) >= AppHostFixture.WebhookPerAddress,
            "at most the webhook's per-address limit gets through in a window");
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests),
            r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));

        // The limit lifts when its window ends (and the webhook tests after this one find it open).
        await Eventually.TrueAsync(async () => (await PostAsync()).StatusCode != HttpStatusCode.TooManyRequests,
            TimeSpan.FromSeconds(15), "the webhook's window ends within 10 s");
    }
}
