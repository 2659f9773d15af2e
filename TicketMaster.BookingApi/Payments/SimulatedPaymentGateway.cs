using System.Security.Cryptography;
using System.Text;

namespace TicketMaster.BookingApi.Payments;

// The local default: Stripe's test payment methods, answered without a network. Deterministic per idempotency
// key, like Stripe's idempotent requests, so a retried confirm authorizes the same "intent".
public sealed class SimulatedPaymentGateway : IPaymentGateway
{
    public const string Visa = "pm_card_visa";
    public const string ChargeDeclined = "pm_card_chargeDeclined";
    public const string AuthenticationRequired = "pm_card_authenticationRequired";

    public string Name => "simulated";

    public Task<AuthorizationResult> AuthorizeAsync(PaymentRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<AuthorizationResult>(request.Method switch
        {
            Visa or "pm_card_mastercard" or "pm_card_amex" =>
                new AuthorizationResult.Authorized("sim_pi_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.IdempotencyKey)))[..24]),
            ChargeDeclined => new AuthorizationResult.Declined("generic_decline", "Your card was declined."), // Stripe's decline_code for this card
            AuthenticationRequired => new AuthorizationResult.Declined("authentication_required",
                "This card requires authentication (3-D Secure), which this API cannot complete; use another card."),
            _ => new AuthorizationResult.Declined("payment_method_unknown", $"'{request.Method}' is not a payment method this provider knows."),
        });

    public Task CaptureAsync(string providerRef, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task VoidAsync(string providerRef, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RefundAsync(string providerRef, long? amountCents, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;
}
