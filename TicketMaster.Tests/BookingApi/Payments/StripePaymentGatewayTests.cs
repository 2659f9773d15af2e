using TicketMaster.BookingApi.Payments;

namespace TicketMaster.Tests.BookingApi.Payments;

public sealed class StripePaymentGatewayTests : IDisposable
{
    private readonly FakeStripeServer _stripe = new();
    private readonly StripePaymentGateway _gateway;

    public StripePaymentGatewayTests() =>
        _gateway = new StripePaymentGateway(new StripeOptions { ApiKey = "sk_test_local_fake", ApiBase = _stripe.BaseAddress });

    [Fact]
    public async Task Authorization_is_a_confirmed_manual_capture_PaymentIntent_and_a_retry_reuses_it()
    {
        var request = new PaymentRequest("r_1_abc:pm_card_visa", 12_500, "usd", "pm_card_visa", "TicketMaster r_1_abc");

        var first = Assert.IsType<AuthorizationResult.Authorized>(await _gateway.AuthorizeAsync(request, default));
        var retried = Assert.IsType<AuthorizationResult.Authorized>(await _gateway.AuthorizeAsync(request, default));

        Assert.Equal(first.ProviderRef, retried.ProviderRef);
        Assert.Equal(1, _stripe.IntentsCreated);
        var (method, path, form, key) = _stripe.Requests.First();
        Assert.Equal(("POST", "/v1/payment_intents"), (method, path));
        Assert.Equal("r_1_abc:pm_card_visa", key);
        Assert.Equal("12500", form["amount"]);
        Assert.Equal("manual", form["capture_method"]);
        Assert.Equal("true", form["confirm"]);
        Assert.Equal("pm_card_visa", form["payment_method"]);
    }

    [Fact]
    public async Task A_declined_card_and_a_card_needing_authentication_are_declines()
    {
        var declined = await _gateway.AuthorizeAsync(new PaymentRequest("k1", 100, "usd", "pm_card_chargeDeclined", "x"), default);
        var authentication = await _gateway.AuthorizeAsync(new PaymentRequest("k2", 100, "usd", "pm_card_authenticationRequired", "x"), default);

        Assert.Equal("generic_decline", Assert.IsType<AuthorizationResult.Declined>(declined).Code);
        Assert.Equal("authentication_required", Assert.IsType<AuthorizationResult.Declined>(authentication).Code);
    }

    [Fact]
    public async Task Capture_and_void_call_the_intent_with_their_own_idempotency_keys()
    {
        var captured = (AuthorizationResult.Authorized)await _gateway.AuthorizeAsync(new PaymentRequest("k3", 100, "usd", "pm_card_visa", "x"), default);
        var voided = (AuthorizationResult.Authorized)await _gateway.AuthorizeAsync(new PaymentRequest("k4", 100, "usd", "pm_card_visa", "x"), default);

        await _gateway.CaptureAsync(captured.ProviderRef, "k3:capture", default);
        await _gateway.VoidAsync(voided.ProviderRef, "k4:void", default);

        Assert.Contains(_stripe.Requests, r => r.Path == $"/v1/payment_intents/{captured.ProviderRef}/capture" && r.IdempotencyKey == "k3:capture");
        Assert.Contains(_stripe.Requests, r => r.Path == $"/v1/payment_intents/{voided.ProviderRef}/cancel" && r.IdempotencyKey == "k4:void");
    }

    public void Dispose() => _stripe.Dispose();
}
