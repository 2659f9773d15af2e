using TicketMaster.ServiceDefaults;

namespace TicketMaster.BookingApi.Payments;

public static class PaymentsExtensions
{
    public const string ProviderSetting = "Payments:Provider";
    public const string Stripe = "Stripe";
    public const string Simulated = "Simulated";

    /// <summary>
    /// The payment provider. In Development, Simulated (Stripe's test cards answered without a network) unless
    /// Payments:Provider says otherwise. Anywhere else the provider must be named and must be real: a simulated
    /// gateway in a deployment would hand out tickets for "pm_card_visa".
    /// </summary>
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        var environment = builder.Environment.EnvironmentName;
        // Read here, not through IOptions: a refused setting stops the service before anything starts.
        var payments = builder.Configuration.GetSection("Payments").Get<PaymentsOptions>() ?? new PaymentsOptions();
        var provider = payments.Provider is { Length: > 0 } named ? named : development ? Simulated : null;
        var stripe = payments.Stripe;
        builder.Services.AddSingleton(stripe);

        if (provider is null)
        {
            throw new StartupRefusedException(
                $"{ProviderSetting} must be set in the '{environment}' environment: set Payments__Provider=Stripe with Payments__Stripe__ApiKey and Payments__Stripe__WebhookSecret.");
        }
        if (string.Equals(provider, Simulated, StringComparison.OrdinalIgnoreCase))
        {
            if (!development)
            {
                throw new StartupRefusedException(
                    $"{ProviderSetting}={provider} is refused in the '{environment}' environment: the simulated gateway approves test cards without charging anyone. Use Stripe.");
            }
            builder.Services.AddSingleton<IPaymentGateway, SimulatedPaymentGateway>();
            return builder;
        }
        if (!string.Equals(provider, Stripe, StringComparison.OrdinalIgnoreCase))
        {
            throw new StartupRefusedException($"{ProviderSetting}={provider} is not a provider this service knows (Stripe; Simulated in Development only).");
        }
        if (string.IsNullOrWhiteSpace(stripe.ApiKey))
        {
            throw new StartupRefusedException($"{ProviderSetting}=Stripe needs Payments:Stripe:ApiKey (Payments__Stripe__ApiKey, a Stripe secret key).");
        }
        if (!development && string.IsNullOrWhiteSpace(stripe.WebhookSecret))
        {
            throw new StartupRefusedException(
                $"{ProviderSetting}=Stripe needs Payments:Stripe:WebhookSecret in the '{environment}' environment (Payments__Stripe__WebhookSecret, the endpoint's signing secret): without it payments nobody saw through are never given back.");
        }
        builder.Services.AddSingleton<IPaymentGateway>(new StripePaymentGateway(stripe));
        return builder;
    }
}

/// <summary>Payments:* — the provider, and Stripe's keys when it is Stripe.</summary>
public sealed class PaymentsOptions
{
    public string? Provider { get; set; }

    public StripeOptions Stripe { get; set; } = new();
}
