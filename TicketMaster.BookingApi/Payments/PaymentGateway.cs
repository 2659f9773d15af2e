namespace TicketMaster.BookingApi.Payments;

public sealed record PaymentRequest(string IdempotencyKey, long AmountCents, string Currency, string Method, string Description);

public abstract record AuthorizationResult
{
    public sealed record Authorized(string ProviderRef) : AuthorizationResult;

    /// <summary>Declined, or needs an action (3-D Secure) the API cannot perform: either way the fan is not charged.</summary>
    public sealed record Declined(string Code, string Message) : AuthorizationResult;
}

/// <summary>
/// A payment provider with separate authorization and capture (DESIGN §3): authorize before the booking
/// transaction, capture after it committed, void when the seat was lost.
/// </summary>
public interface IPaymentGateway
{
    string Name { get; }

    Task<AuthorizationResult> AuthorizeAsync(PaymentRequest request, CancellationToken cancellationToken);

    Task CaptureAsync(string providerRef, string idempotencyKey, CancellationToken cancellationToken);

    Task VoidAsync(string providerRef, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Gives a captured payment back: all of it, or <paramref name="amountCents"/> of it.</summary>
    Task RefundAsync(string providerRef, long? amountCents, string idempotencyKey, CancellationToken cancellationToken);
}
