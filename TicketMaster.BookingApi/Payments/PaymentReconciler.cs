using Microsoft.Extensions.Options;
using MySqlConnector;

namespace TicketMaster.BookingApi.Payments;

// Crash safety (DESIGN §3): a process can die between any two steps of a confirm. The payment row tells
// what happened; at start-up and then periodically this settles what nobody is working on any more:
//   booking committed, payment still "authorized"  → capture (no ticket without a charge)
//   no booking, payment "authorizing"/"authorized" → void  (no charge without a ticket)
// Voiding happens under the payment row's lock and the booking transaction only attaches a payment that is not
// voided, so a slow confirm and the reconciler can never both win. Every replica runs it; idempotency keys make
// a doubled capture or void harmless.
public sealed class PaymentReconciler(
    MySqlDataSource dataSource, IPaymentGateway gateway, PaymentLedger ledger, IOptions<BookingOptions> options,
    ILogger<PaymentReconciler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Payment reconciliation failed; retrying at the next interval");
            }
            await Task.Delay(options.Value.ReconcileInterval, stoppingToken);
        }
    }

    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var quietFor = (int)options.Value.ReconcileAfter.TotalSeconds;
        foreach (var payment in await StaleAsync("status = 'authorized' AND booking_id IS NOT NULL", quietFor, cancellationToken))
        {
            await gateway.CaptureAsync(payment.ProviderRef!, payment.IdempotencyKey + ":capture", cancellationToken);
            await ledger.MarkCapturedAsync(payment.ReservationId);
            logger.LogWarning("Captured the payment of booked reservation {Reservation} left uncaptured", payment.ReservationId);
        }
        foreach (var payment in await StaleAsync("status IN ('authorizing', 'authorized') AND booking_id IS NULL", quietFor, cancellationToken))
        {
            if (!await ClaimForVoidAsync(payment.ReservationId, cancellationToken))
            {
                continue;
            }
            // Never heard back from the provider? Asking again with the same idempotency key returns the same answer.
            var providerRef = payment.ProviderRef ?? (await gateway.AuthorizeAsync(
                new PaymentRequest(payment.IdempotencyKey, payment.AmountCents, "usd", payment.Method, $"TicketMaster {payment.ReservationId}"),
                cancellationToken) as AuthorizationResult.Authorized)?.ProviderRef;
            if (providerRef is not null)
            {
                await gateway.VoidAsync(providerRef, payment.IdempotencyKey + ":void", cancellationToken);
            }
            logger.LogWarning("Voided the payment of reservation {Reservation}: no booking was made", payment.ReservationId);
        }
    }

    private sealed record StalePayment(string ReservationId, string? ProviderRef, string IdempotencyKey, string Method, long AmountCents);

    private async Task<List<StalePayment>> StaleAsync(string condition, int quietForSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand($"""
            SELECT reservation_id, provider_ref, idempotency_key, method, amount_cents FROM payment
            WHERE {condition} AND updated_at < CURRENT_TIMESTAMP(3) - INTERVAL @quiet SECOND
            ORDER BY updated_at LIMIT 500
            """, connection);
        command.Parameters.AddWithValue("@quiet", quietForSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var payments = new List<StalePayment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            payments.Add(new StalePayment(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetInt64(4)));
        }
        return payments;
    }

    // Marks the payment voided under its row lock, if it is still unbooked; false if a booking got it first.
    private async Task<bool> ClaimForVoidAsync(string reservationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var claim = new MySqlCommand("""
            UPDATE payment SET status = 'voided', updated_at = CURRENT_TIMESTAMP(3)
            WHERE reservation_id = @reservation AND booking_id IS NULL AND status IN ('authorizing', 'authorized')
            """, connection, transaction);
        claim.Parameters.AddWithValue("@reservation", reservationId);
        var claimed = await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return claimed;
    }
}
