using MySqlConnector;
using TicketMaster.BookingApi.Batching;
using TicketMaster.ServiceDefaults.Data;

namespace TicketMaster.BookingApi.Payments;

public static class PaymentStatuses
{
    public const string Authorizing = "authorizing";
    public const string Authorized = "authorized";
    public const string Captured = "captured";
    public const string Voided = "voided";
    public const string Refunded = "refunded";
    public const string Failed = "failed";
}

// The payment row of a reservation, written before the provider is called and after each step, so that a
// crash at any point leaves enough to settle (no charge without a ticket, no ticket without a charge).
// The two writes every confirm makes (the new row, and "captured") are group-committed: concurrent confirms share
// one multi-row statement, and each still returns only once its own row is written.
public sealed class PaymentLedger
{
    private const int MaxBatch = 128;

    private sealed record NewPayment(string ReservationId, string UserId, long EventId, long AmountCents, string Provider, string IdempotencyKey, string Method);

    private readonly MySqlDataSource _dataSource;
    private readonly MicroBatcher<NewPayment> _begins;
    private readonly MicroBatcher<string> _captures;

    public PaymentLedger(MySqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _begins = new MicroBatcher<NewPayment>("payment-begin", InsertAsync, MaxBatch);
        _captures = new MicroBatcher<string>("payment-captured", MarkCapturedAsync, MaxBatch);
    }

    /// <summary>The row in status "authorizing", before the provider is asked (a failed or voided earlier try starts over).</summary>
    public Task BeginAsync(string reservationId, string userId, long eventId, long amountCents, string provider,
        string idempotencyKey, string method, CancellationToken cancellationToken) =>
        _begins.EnqueueAsync(new NewPayment(reservationId, userId, eventId, amountCents, provider, idempotencyKey, method)).WaitAsync(cancellationToken);

    /// <summary>After the provider captured a booked payment.</summary>
    public Task MarkCapturedAsync(string reservationId) => _captures.EnqueueAsync(reservationId);

    // Each flush is one autocommitted statement: a lock conflict rolled all of it back, so it runs again whole.
    private Task InsertAsync(IReadOnlyList<NewPayment> payments) => LockConflicts.RetryAsync(() => InsertOnceAsync(payments));

    private async Task InsertOnceAsync(IReadOnlyList<NewPayment> payments)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new MySqlCommand { Connection = connection };
        var rows = new List<string>(payments.Count);
        for (var i = 0; i < payments.Count; i++)
        {
            var p = payments[i];
            rows.Add($"(@r{i}, @u{i}, @e{i}, @a{i}, @p{i}, @k{i}, @m{i}, 'authorizing')");
            command.Parameters.AddWithValue($"@r{i}", p.ReservationId);
            command.Parameters.AddWithValue($"@u{i}", p.UserId);
            command.Parameters.AddWithValue($"@e{i}", p.EventId);
            command.Parameters.AddWithValue($"@a{i}", p.AmountCents);
            command.Parameters.AddWithValue($"@p{i}", p.Provider);
            command.Parameters.AddWithValue($"@k{i}", p.IdempotencyKey);
            command.Parameters.AddWithValue($"@m{i}", p.Method);
        }
        command.CommandText = $"""
            INSERT INTO payment (reservation_id, user_id, event_id, amount_cents, provider, idempotency_key, method, status)
            VALUES {string.Join(", ", rows)}
            ON DUPLICATE KEY UPDATE
                idempotency_key = IF(status IN ('failed', 'voided'), VALUES(idempotency_key), idempotency_key),
                method = IF(status IN ('failed', 'voided'), VALUES(method), method),
                status = IF(status IN ('failed', 'voided'), 'authorizing', status),
                updated_at = CURRENT_TIMESTAMP(3)
            """;
        await command.ExecuteNonQueryAsync();
    }

    private Task MarkCapturedAsync(IReadOnlyList<string> reservationIds) => LockConflicts.RetryAsync(() => MarkCapturedOnceAsync(reservationIds));

    private async Task MarkCapturedOnceAsync(IReadOnlyList<string> reservationIds)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new MySqlCommand { Connection = connection };
        for (var i = 0; i < reservationIds.Count; i++)
        {
            command.Parameters.AddWithValue($"@r{i}", reservationIds[i]);
        }
        command.CommandText = $"""
            UPDATE payment SET status = 'captured', updated_at = CURRENT_TIMESTAMP(3)
            WHERE reservation_id IN ({string.Join(", ", reservationIds.Select((_, i) => $"@r{i}"))}) AND status <> 'captured'
            """;
        await command.ExecuteNonQueryAsync();
    }

    public Task MarkAsync(string reservationId, string status, string? providerRef, CancellationToken cancellationToken) =>
        LockConflicts.RetryAsync(() => MarkOnceAsync(reservationId, status, providerRef, cancellationToken), cancellationToken);

    private async Task MarkOnceAsync(string reservationId, string status, string? providerRef, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            UPDATE payment SET status = @status, provider_ref = COALESCE(@ref, provider_ref), updated_at = CURRENT_TIMESTAMP(3)
            WHERE reservation_id = @reservation
              -- concurrent retries of one confirm share the payment: never step back from captured,
              -- and never void or fail a payment that a committed booking relies on
              AND NOT (status = 'captured' AND @status <> 'refunded')
              AND NOT (booking_id IS NOT NULL AND @status IN ('voided', 'failed'))
            """, connection);
        command.Parameters.AddWithValue("@reservation", reservationId);
        command.Parameters.AddWithValue("@status", status);
        command.Parameters.AddWithValue("@ref", providerRef);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The payment status of the fan's confirm of this reservation; null when there is none.</summary>
    public async Task<string?> StatusAsync(string reservationId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("SELECT status FROM payment WHERE reservation_id = @reservation AND user_id = @user", connection);
        command.Parameters.AddWithValue("@reservation", reservationId);
        command.Parameters.AddWithValue("@user", userId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
