using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;
using Stripe;
using TicketMaster.BookingApi.Reservations;
using TicketMaster.ServiceDefaults.Http;

namespace TicketMaster.BookingApi.Payments;

// Stripe tells us about payments we may not have seen through (a confirm that timed out waiting for the
// provider, a crash). Signed with the endpoint secret; each event id is processed once (processed_message).
// A payment for a reservation that has no booking and no live hold any more is given back: refunded if it was
// captured, voided if only authorized.
public static class StripeWebhookApi
{
    public static IEndpointRouteBuilder MapStripeWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/payments/stripe/webhook", Receive).WithTags("Payments").AllowAnonymous().RequireRateLimit(RateLimitKind.Webhook);
        return app;
    }

    public static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> Receive(
        HttpRequest request, StripeOptions options, MySqlDataSource dataSource, HoldStore holds, IPaymentGateway gateway,
        ILogger<PaymentReconciler> logger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.WebhookSecret))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhooks are not configured",
                detail: "Set Payments:Stripe:WebhookSecret to receive Stripe events.");
        }

        var signature = request.Headers["Stripe-Signature"].ToString();
        if (signature.Length == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing Stripe signature",
                detail: "Stripe webhooks carry a Stripe-Signature header.");
        }

        // Read no more than a Stripe event can be before the signature is checked: a flood of large bodies costs nothing.
        if (await ReadBoundedAsync(request, MaxPayloadBytes, cancellationToken) is not { } payload)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"A Stripe event is at most {MaxPayloadBytes / 1024} KB.");
        }
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(payload, signature, options.WebhookSecret,
                throwOnApiVersionMismatch: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Verifying and parsing have no side effects: whatever fails here is a bad request, never a 500.
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Stripe signature", detail: ex.Message);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var record = new MySqlCommand("INSERT IGNORE INTO processed_message (id) VALUES (@id)", connection, transaction))
        {
            record.Parameters.AddWithValue("@id", $"stripe:{stripeEvent.Id}");
            if (await record.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return TypedResults.Ok(new WebhookReceipt(stripeEvent.Id, Duplicate: true, Action: null));
            }
        }

        string? action = null;
        if (stripeEvent.Data.Object is PaymentIntent intent
            && stripeEvent.Type is "payment_intent.succeeded" or "payment_intent.amount_capturable_updated")
        {
            action = await GiveBackIfOrphanedAsync(transaction, intent.Id, captured: stripeEvent.Type == "payment_intent.succeeded",
                holds, gateway, cancellationToken);
            if (action is not null)
            {
                logger.LogWarning("Stripe {Type} for {Intent}: no booking and no live hold, payment {Action}", stripeEvent.Type, intent.Id, action);
            }
        }
        // The event counts as processed only if handling it succeeded (else Stripe retries it).
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(stripeEvent.Id, Duplicate: false, action));
    }

    public const int MaxPayloadBytes = 256 * 1024;

    private static async Task<string?> ReadBoundedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return "";
        }
    }

    private static async Task<string?> GiveBackIfOrphanedAsync(MySqlTransaction transaction, string intentId, bool captured,
        HoldStore holds, IPaymentGateway gateway, CancellationToken cancellationToken)
    {
        string reservationId, idempotencyKey;
        await using (var find = new MySqlCommand("""
            SELECT reservation_id, idempotency_key FROM payment
            WHERE provider_ref = @intent AND booking_id IS NULL AND status IN ('authorizing', 'authorized', 'captured')
            FOR UPDATE
            """, transaction.Connection, transaction))
        {
            find.Parameters.AddWithValue("@intent", intentId);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            (reservationId, idempotencyKey) = (reader.GetString(0), reader.GetString(1));
        }
        // A live hold means a confirm may still be running: it (or later the reconciler) decides.
        if (await holds.GetAsync(reservationId, cancellationToken) is { Active: not null })
        {
            return null;
        }

        var status = captured ? PaymentStatuses.Refunded : PaymentStatuses.Voided;
        if (captured)
        {
            await gateway.RefundAsync(intentId, null, idempotencyKey + ":refund", cancellationToken);
        }
        else
        {
            await gateway.VoidAsync(intentId, idempotencyKey + ":void", cancellationToken);
        }
        await using var mark = new MySqlCommand("UPDATE payment SET status = @status, updated_at = CURRENT_TIMESTAMP(3) WHERE reservation_id = @reservation",
            transaction.Connection, transaction);
        mark.Parameters.AddWithValue("@status", status);
        mark.Parameters.AddWithValue("@reservation", reservationId);
        await mark.ExecuteNonQueryAsync(cancellationToken);
        return status;
    }
}

public sealed record WebhookReceipt(string EventId, bool Duplicate, string? Action);
