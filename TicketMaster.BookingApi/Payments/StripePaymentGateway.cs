using Stripe;

namespace TicketMaster.BookingApi.Payments;

public sealed class StripeOptions
{
    public string? ApiKey { get; set; }

    /// <summary>Stripe's API by default; tests point it at a local server speaking Stripe's wire format.</summary>
    public string? ApiBase { get; set; }

    public string? WebhookSecret { get; set; }
}

// Stripe through Stripe.net (DESIGN §3): a PaymentIntent confirmed with manual capture is the authorization;
// capture after the booking commits, cancel when the seat was lost. Every call carries an idempotency key, so
// a retried confirm never creates a second intent.
public sealed class StripePaymentGateway(StripeOptions options) : IPaymentGateway
{
    private readonly StripeClient _client = new(apiKey: options.ApiKey, apiBase: options.ApiBase);

    public string Name => "stripe";

    public async Task<AuthorizationResult> AuthorizeAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var intent = await new PaymentIntentService(_client).CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = request.AmountCents,
                Currency = request.Currency,
                PaymentMethod = request.Method,
                // Cards only, no redirect flows: a server-side confirm cannot follow one.
                AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
                CaptureMethod = "manual",
                Confirm = true,
                Description = request.Description,
                Metadata = new Dictionary<string, string> { ["idempotency_key"] = request.IdempotencyKey },
            }, new RequestOptions { IdempotencyKey = request.IdempotencyKey }, cancellationToken);

            return intent.Status switch
            {
                "requires_capture" => new AuthorizationResult.Authorized(intent.Id),
                "requires_action" => new AuthorizationResult.Declined("authentication_required",
                    "This card requires authentication (3-D Secure), which this API cannot complete; use another card."),
                _ => new AuthorizationResult.Declined(intent.Status, $"The payment was not authorized ({intent.Status})."),
            };
        }
        catch (StripeException ex) when (ex.StripeError?.Type == "card_error")
        {
            return new AuthorizationResult.Declined(ex.StripeError.DeclineCode ?? ex.StripeError.Code ?? "card_declined",
                ex.StripeError.Message ?? "Your card was declined.");
        }
    }

    public Task CaptureAsync(string providerRef, string idempotencyKey, CancellationToken cancellationToken) =>
        new PaymentIntentService(_client).CaptureAsync(providerRef, null, new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken);

    public Task VoidAsync(string providerRef, string idempotencyKey, CancellationToken cancellationToken) =>
        new PaymentIntentService(_client).CancelAsync(providerRef, null, new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken);

    public Task RefundAsync(string providerRef, long? amountCents, string idempotencyKey, CancellationToken cancellationToken) =>
        new RefundService(_client).CreateAsync(new RefundCreateOptions { PaymentIntent = providerRef, Amount = amountCents },
            new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken);
}
