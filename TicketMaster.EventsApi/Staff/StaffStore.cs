using System.Security.Claims;
using MySqlConnector;
using TicketMaster.EventsApi.Sales;
using TicketMaster.Messaging;

namespace TicketMaster.EventsApi.Staff;

public sealed class StaffStore(MySqlDataSource dataSource, Outbox outbox)
{
    /// <summary>The event's staff, ordered; null when there is no such event or it is not the caller's to manage.</summary>
    public async Task<List<string>?> GetAsync(long eventId, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await MayManageAsync(connection, null, eventId, caller, lockRow: false, cancellationToken))
        {
            return null;
        }
        await using var command = new MySqlCommand("SELECT user_id FROM event_staff WHERE event_id = @event ORDER BY user_id", connection);
        command.Parameters.AddWithValue("@event", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var staff = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            staff.Add(reader.GetString(0));
        }
        return staff;
    }

    /// <summary>
    /// Replaces the event's staff in one transaction, which also bumps the event's version and tells the sale (whose
    /// check-in admits only the event's staff); false when there is no such event or it is not the caller's.
    /// </summary>
    public async Task<bool> SetAsync(long eventId, IReadOnlyList<string> staff, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await MayManageAsync(connection, transaction, eventId, caller, lockRow: true, cancellationToken))
        {
            return false;
        }
        await using (var clear = new MySqlCommand("DELETE FROM event_staff WHERE event_id = @event", connection, transaction))
        {
            clear.Parameters.AddWithValue("@event", eventId);
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        if (staff.Count > 0)
        {
            await using var insert = new MySqlCommand { Connection = connection, Transaction = transaction };
            insert.Parameters.AddWithValue("@event", eventId);
            for (var i = 0; i < staff.Count; i++)
            {
                insert.Parameters.AddWithValue($"@u{i}", staff[i]);
            }
            insert.CommandText = $"INSERT INTO event_staff (event_id, user_id) VALUES {string.Join(", ", staff.Select((_, i) => $"(@event, @u{i})"))}";
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var version = new MySqlCommand(
            "UPDATE event SET version = version + 1, updated_at = CURRENT_TIMESTAMP(3) WHERE event_id = @event", connection, transaction))
        {
            version.Parameters.AddWithValue("@event", eventId);
            await version.ExecuteNonQueryAsync(cancellationToken);
        }
        await SaleListing.AnnounceAsync(outbox, transaction, eventId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.NotifyCommitted();
        return true;
    }

    private static async Task<bool> MayManageAsync(MySqlConnection connection, MySqlTransaction? transaction, long eventId, ClaimsPrincipal caller,
        bool lockRow, CancellationToken cancellationToken)
    {
        // Locking the event row serializes two owners' concurrent replacements of the list.
        await using var command = new MySqlCommand(
            $"SELECT owner_id FROM event WHERE event_id = @event{(lockRow ? " FOR UPDATE" : "")}", connection, transaction);
        command.Parameters.AddWithValue("@event", eventId);
        return await command.ExecuteScalarAsync(cancellationToken) is string ownerId && caller.CanManage(ownerId);
    }
}
