using MySqlConnector;

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
public sealed class PaymentLedger(MySqlDataSource dataSource)
{
    public async Task BeginAsync(string reservationId, string userId, long eventId, long amountCents, string provider,
        string idempotencyKey, string method, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            INSERT INTO payment (reservation_id, user_id, event_id, amount_cents, provider, idempotency_key, method, status)
            VALUES (@reservation, @user, @event, @amount, @provider, @key, @method, 'authorizing')
            ON DUPLICATE KEY UPDATE
                idempotency_key = IF(status IN ('failed', 'voided'), VALUES(idempotency_key), idempotency_key),
                method = IF(status IN ('failed', 'voided'), VALUES(method), method),
                status = IF(status IN ('failed', 'voided'), 'authorizing', status),
                updated_at = CURRENT_TIMESTAMP(3)
            """, connection);
        command.Parameters.AddWithValue("@reservation", reservationId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@event", eventId);
        command.Parameters.AddWithValue("@amount", amountCents);
        command.Parameters.AddWithValue("@provider", provider);
        command.Parameters.AddWithValue("@key", idempotencyKey);
        command.Parameters.AddWithValue("@method", method);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkAsync(string reservationId, string status, string? providerRef, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new MySqlCommand("SELECT status FROM payment WHERE reservation_id = @reservation AND user_id = @user", connection);
        command.Parameters.AddWithValue("@reservation", reservationId);
        command.Parameters.AddWithValue("@user", userId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
