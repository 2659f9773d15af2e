using MySqlConnector;
using TicketMaster.BookingApi.Batching;
using TicketMaster.Data;

namespace TicketMaster.BookingApi.Payments;

public static class PaymentStatuses
{
    public const string Authorizing = "authorizing";
    public const string Authorized = "authorized";
    public const string Captured = "captured";
    public const string Voiding = "voiding";
    public const string Voided = "voided";
    public const string Refunded = "refunded";
    public const string Failed = "failed";

    /// <summary>An attempt the provider may still authorize or has authorized, with no outcome yet.</summary>
    public static bool IsLive(string status) => status is Authorizing or Authorized;
}

/// <summary>The attempt a confirm pays with: its idempotency key, the payment method it was started with, its status.</summary>
public sealed record PaymentAttempt(int Attempt, string IdempotencyKey, string Method, string Status);

// The payment row of a reservation, written before the provider is called and after each step, so that a
// crash at any point leaves enough to settle (no charge without a ticket, no ticket without a charge).
// The two writes every confirm makes (the new row, and "captured") are group-committed: concurrent confirms share
// one multi-row statement, and each still returns only once its own row is written.
public sealed class PaymentLedger
{
    private const int MaxBatch = 128;

    private sealed record NewPayment(string ReservationId, string UserId, long EventId, long AmountCents, string Provider, string Method,
        DateTimeOffset HoldExpiresAt);

    private readonly MySqlDataSource _dataSource;
    private readonly MicroBatcher<NewPayment, PaymentAttempt> _begins;
    private readonly MicroBatcher<string> _captures;

    public PaymentLedger(MySqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _begins = new MicroBatcher<NewPayment, PaymentAttempt>("payment-begin", InsertAsync, MaxBatch);
        _captures = new MicroBatcher<string>("payment-captured", MarkCapturedAsync, MaxBatch);
    }

    /// <summary>
    /// The reservation's live attempt: a new one ("authorizing", the next attempt number and so a new idempotency key)
    /// when there is none or the last one was declined or voided, else the one under way, which this confirm shares.
    /// </summary>
    public Task<PaymentAttempt> BeginAsync(string reservationId, string userId, long eventId, long amountCents, string provider,
        string method, DateTimeOffset holdExpiresAt, CancellationToken cancellationToken) =>
        _begins.EnqueueAsync(new NewPayment(reservationId, userId, eventId, amountCents, provider, method, holdExpiresAt)).WaitAsync(cancellationToken);

    /// <summary>After the provider captured a booked payment.</summary>
    public Task MarkCapturedAsync(string reservationId) => _captures.EnqueueAsync(reservationId);

    public static string IdempotencyKey(string reservationId, int attempt) => $"{reservationId}:{attempt}";

    // Each flush is one autocommitted statement: a lock conflict rolled all of it back, so it runs again whole.
    private Task<IReadOnlyList<PaymentAttempt>> InsertAsync(IReadOnlyList<NewPayment> payments) => LockConflicts.RetryAsync(() => InsertOnceAsync(payments));

    private async Task<IReadOnlyList<PaymentAttempt>> InsertOnceAsync(IReadOnlyList<NewPayment> payments)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new MySqlCommand { Connection = connection };
        var rows = new List<string>(payments.Count);
        for (var i = 0; i < payments.Count; i++)
        {
            var p = payments[i];
            rows.Add($"(@r{i}, @u{i}, @e{i}, @a{i}, @p{i}, CONCAT(@r{i}, ':1'), @m{i}, 'authorizing', 1, @h{i})");
            command.Parameters.AddWithValue($"@r{i}", p.ReservationId);
            command.Parameters.AddWithValue($"@u{i}", p.UserId);
            command.Parameters.AddWithValue($"@e{i}", p.EventId);
            command.Parameters.AddWithValue($"@a{i}", p.AmountCents);
            command.Parameters.AddWithValue($"@p{i}", p.Provider);
            command.Parameters.AddWithValue($"@m{i}", p.Method);
            command.Parameters.AddWithValue($"@h{i}", p.HoldExpiresAt.UtcDateTime);
        }
        // Assignments run left to right, each seeing the ones before: every condition reads the old status, which is
        // assigned last, and the key is built from the attempt number already moved on.
        command.CommandText = $"""
            INSERT INTO payment (reservation_id, user_id, event_id, amount_cents, provider, idempotency_key, method, status, attempt, hold_expires_at)
            VALUES {string.Join(", ", rows)}
            ON DUPLICATE KEY UPDATE
                attempt = IF(status IN ('failed', 'voided'), attempt + 1, attempt),
                idempotency_key = IF(status IN ('failed', 'voided'), CONCAT(reservation_id, ':', attempt), idempotency_key),
                method = IF(status IN ('failed', 'voided'), VALUES(method), method),
                amount_cents = IF(status IN ('failed', 'voided'), VALUES(amount_cents), amount_cents),
                hold_expires_at = IF(status IN ('failed', 'voided'), VALUES(hold_expires_at), hold_expires_at),
                settle_failures = IF(status IN ('failed', 'voided'), 0, settle_failures),
                next_settle_at = IF(status IN ('failed', 'voided'), NULL, next_settle_at),
                updated_at = CURRENT_TIMESTAMP(3),
                status = IF(status IN ('failed', 'voided'), 'authorizing', status);
            SELECT reservation_id, attempt, idempotency_key, method, status FROM payment
            WHERE reservation_id IN ({string.Join(", ", payments.Select((_, i) => $"@r{i}"))});
            """;
        var attempts = new Dictionary<string, PaymentAttempt>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                attempts[reader.GetString(0)] = new PaymentAttempt(reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
            }
        }
        return payments.Select(p => attempts[p.ReservationId]).ToList();
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

    /// <summary>Records the outcome of one attempt; a newer attempt of the reservation is left alone.</summary>
    public Task MarkAsync(string reservationId, int attempt, string status, CancellationToken cancellationToken) =>
        LockConflicts.RetryAsync(() => MarkOnceAsync(reservationId, attempt, status, cancellationToken), cancellationToken);

    private async Task MarkOnceAsync(string reservationId, int attempt, string status, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            UPDATE payment SET status = @status, updated_at = CURRENT_TIMESTAMP(3)
            WHERE reservation_id = @reservation AND attempt = @attempt
              -- concurrent retries of one confirm share the payment: never step back from captured,
              -- and never void or fail a payment that a committed booking relies on
              AND NOT (status = 'captured' AND @status <> 'refunded')
              AND NOT (booking_id IS NOT NULL AND @status IN ('voiding', 'voided', 'failed'))
            """, connection);
        command.Parameters.AddWithValue("@reservation", reservationId);
        command.Parameters.AddWithValue("@attempt", attempt);
        command.Parameters.AddWithValue("@status", status);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Takes a live, unbooked attempt away from any booking ("voiding": the booking transaction attaches only live
    /// attempts, under the same row lock); false when a booking got it first or it is no longer live.
    /// </summary>
    public async Task<bool> ClaimForVoidAsync(string reservationId, int attempt, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var claim = new MySqlCommand("""
            UPDATE payment SET status = 'voiding', updated_at = CURRENT_TIMESTAMP(3)
            WHERE reservation_id = @reservation AND attempt = @attempt AND booking_id IS NULL AND status IN ('authorizing', 'authorized')
            """, connection);
        claim.Parameters.AddWithValue("@reservation", reservationId);
        claim.Parameters.AddWithValue("@attempt", attempt);
        return await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The provider refused to settle the row now: it is tried again later, each time later (at most hourly).</summary>
    public async Task PostponeAsync(string reservationId, TimeSpan firstDelay, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            UPDATE payment SET settle_failures = settle_failures + 1,
                next_settle_at = CURRENT_TIMESTAMP(3) + INTERVAL LEAST(3600, @first * POW(2, LEAST(settle_failures, 20))) SECOND
            WHERE reservation_id = @reservation
            """, connection);
        command.Parameters.AddWithValue("@reservation", reservationId);
        command.Parameters.AddWithValue("@first", Math.Max(1, (int)firstDelay.TotalSeconds));
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
