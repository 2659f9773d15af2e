using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using MySqlConnector;
using TicketMaster.ServiceDefaults.Telemetry;

namespace TicketMaster.BookingApi.Payments;

// Crash safety (DESIGN §3): a process can die between any two steps of a confirm. The payment row tells
// what happened; at start-up and then periodically this settles what nobody is working on any more:
//   booking committed, payment still "authorized"                 → capture (no ticket without a charge)
//   no booking, attempt "authorizing"/"authorized", hold lapsed   → void    (no charge without a ticket)
//   "voiding" (the void was owed but not yet confirmed)           → void again
// An attempt is voided only once its reservation's hold has lapsed (plus the quiet margin): until then the fan may
// still be confirming with it. Voiding first moves the row to "voiding" under its row lock, and the booking
// transaction only attaches a live attempt, so a slow confirm and the reconciler can never both win. Each row is
// settled on its own: a provider error postpones that row (with growing delays) and the pass goes on with the
// next. Every replica runs it; idempotency keys make a doubled capture or void harmless.
public sealed class PaymentReconciler : BackgroundService
{
    private readonly MySqlDataSource _dataSource;
    private readonly IPaymentGateway _gateway;
    private readonly PaymentLedger _ledger;
    private readonly IOptions<BookingOptions> _options;
    private readonly ILogger<PaymentReconciler> _logger;
    private readonly Counter<long> _failures;
    private long _uncaptured;
    private long _unvoided;

    public PaymentReconciler(MySqlDataSource dataSource, IPaymentGateway gateway, PaymentLedger ledger, IOptions<BookingOptions> options,
        ILogger<PaymentReconciler> logger, IMeterFactory meters)
    {
        (_dataSource, _gateway, _ledger, _options, _logger) = (dataSource, gateway, ledger, options, logger);
        var meter = meters.Create("TicketMaster");
        _failures = meter.CreateCounter<long>("ticketmaster.payments.settle_failures", "{attempt}",
            "Captures and voids the payment provider refused; the row is tried again later");
        // What operators watch while the provider keeps refusing: booked payments not yet captured, and authorizations
        // owed a void, that have failed at least once.
        meter.CreateObservableGauge("ticketmaster.payments.unsettled", () => new[]
        {
            new Measurement<long>(Volatile.Read(ref _uncaptured), new KeyValuePair<string, object?>("action", "capture")),
            new Measurement<long>(Volatile.Read(ref _unvoided), new KeyValuePair<string, object?>("action", "void")),
        }, "{payment}", "Payments whose capture or void failed and waits for its next try");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundPasses.RunAsync(async cancellationToken =>
        {
            await ReconcileAsync(cancellationToken);
            return false;
        }, () => _options.Value.ReconcileInterval, _logger, "Payment reconciliation", stoppingToken);

    /// <summary>One pass. Its queries are not traced (it finds nothing nearly always); each settlement is a trace.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        using var quiet = BackgroundTracing.Quiet();
        var quietFor = (int)_options.Value.ReconcileAfter.TotalSeconds;
        foreach (var payment in await DueAsync("status = 'authorized' AND booking_id IS NOT NULL AND updated_at < CURRENT_TIMESTAMP(3) - INTERVAL @quiet SECOND",
            quietFor, cancellationToken))
        {
            await SettleAsync(payment, "capture", async () =>
            {
                await _gateway.CaptureAsync(payment.ProviderRef!, payment.IdempotencyKey + ":capture", cancellationToken);
                await _ledger.MarkCapturedAsync(payment.ReservationId);
                _logger.LogWarning("Captured the payment of booked reservation {Reservation} left uncaptured", payment.ReservationId);
            }, cancellationToken);
        }
        foreach (var payment in await DueAsync("""
            status IN ('authorizing', 'authorized') AND booking_id IS NULL
            AND updated_at < CURRENT_TIMESTAMP(3) - INTERVAL @quiet SECOND
            AND (hold_expires_at IS NULL OR hold_expires_at < CURRENT_TIMESTAMP(3) - INTERVAL @quiet SECOND)
            """, quietFor, cancellationToken))
        {
            if (await _ledger.ClaimForVoidAsync(payment.ReservationId, payment.Attempt, cancellationToken))
            {
                await SettleAsync(payment, "void", () => VoidAsync(payment, cancellationToken), cancellationToken);
            }
        }
        foreach (var payment in await DueAsync("status = 'voiding'", quietFor, cancellationToken))
        {
            await SettleAsync(payment, "void", () => VoidAsync(payment, cancellationToken), cancellationToken);
        }
        await CountUnsettledAsync(cancellationToken);
    }

    private async Task VoidAsync(DuePayment payment, CancellationToken cancellationToken)
    {
        // Never heard back from the provider? Asking again with the same idempotency key returns the same answer.
        var providerRef = payment.ProviderRef ?? (await _gateway.AuthorizeAsync(
            new PaymentRequest(payment.IdempotencyKey, payment.AmountCents, "usd", payment.Method, $"TicketMaster {payment.ReservationId}"),
            cancellationToken) as AuthorizationResult.Authorized)?.ProviderRef;
        if (providerRef is not null)
        {
            await _gateway.VoidAsync(providerRef, payment.IdempotencyKey + ":void", cancellationToken);
        }
        await _ledger.MarkAsync(payment.ReservationId, payment.Attempt, PaymentStatuses.Voided, cancellationToken);
        _logger.LogWarning("Voided the payment of reservation {Reservation}: no booking was made", payment.ReservationId);
    }

    // One row's failure is that row's: it is postponed, counted, and the others are settled regardless.
    private async Task SettleAsync(DuePayment payment, string action, Func<Task> settle, CancellationToken cancellationToken)
    {
        using var work = BackgroundTracing.Work($"payment {action}");
        work.Activity?.SetTag("ticketmaster.reservation_id", payment.ReservationId);
        try
        {
            await settle();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failures.Add(1, new KeyValuePair<string, object?>("action", action));
            _logger.LogWarning("Payment {Action} of reservation {Reservation} failed ({Failures} before): {Error}; postponed",
                action, payment.ReservationId, payment.SettleFailures, ex.Message);
            await _ledger.PostponeAsync(payment.ReservationId, _options.Value.ReconcileInterval, cancellationToken);
        }
    }

    private async Task CountUnsettledAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT
              (SELECT COUNT(*) FROM payment WHERE status = 'authorized' AND booking_id IS NOT NULL AND settle_failures > 0),
              (SELECT COUNT(*) FROM payment WHERE status = 'voiding' AND settle_failures > 0)
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        Volatile.Write(ref _uncaptured, reader.GetInt64(0));
        Volatile.Write(ref _unvoided, reader.GetInt64(1));
    }

    private sealed record DuePayment(string ReservationId, int Attempt, string? ProviderRef, string IdempotencyKey, string Method, long AmountCents,
        int SettleFailures);

    private async Task<List<DuePayment>> DueAsync(string condition, int quietForSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand($"""
            SELECT reservation_id, attempt, provider_ref, idempotency_key, method, amount_cents, settle_failures FROM payment
            WHERE {condition} AND (next_settle_at IS NULL OR next_settle_at <= CURRENT_TIMESTAMP(3))
            ORDER BY updated_at LIMIT 500
            """, connection);
        command.Parameters.AddWithValue("@quiet", quietForSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var payments = new List<DuePayment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            payments.Add(new DuePayment(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt64(5), reader.GetInt32(6)));
        }
        return payments;
    }
}
