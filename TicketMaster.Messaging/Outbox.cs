using System.Diagnostics;
using System.Text.Json;
using MySqlConnector;

namespace TicketMaster.Messaging;

// The write side of the transactional outbox (DESIGN §4): a message row written in the caller's transaction,
// so a change and its announcement commit or roll back together. Each service has an outbox table of its own, and
// its relay publishes only that table's rows.
public sealed class Outbox(OutboxSignal signal, OutboxTable table)
{
    private const string Columns = "aggregate_type, aggregate_id, message_type, payload, traceparent, tracestate";

    public string Table => table.Name;

    /// <summary>One INSERT of several messages (parameters added with one prefix each), each written only when its SQL condition holds.</summary>
    public string InsertSql(IEnumerable<(string Prefix, string OnlyIf)> rows) =>
        $"INSERT INTO {table.Name} ({Columns}) {string.Join(" UNION ALL ", rows.Select(r => $"SELECT {Values(r.Prefix)} FROM DUAL WHERE {r.OnlyIf}"))};";

    private static string Values(string prefix) =>
        $"@{prefix}AggregateType, @{prefix}AggregateId, @{prefix}MessageType, @{prefix}Payload, @{prefix}Traceparent, @{prefix}Tracestate";

    public async Task AppendAsync<T>(MySqlTransaction transaction, string aggregateType, long aggregateId, T message,
        CancellationToken cancellationToken) where T : IIntegrationEvent
    {
        await using var command = new MySqlCommand($"INSERT INTO {table.Name} ({Columns}) VALUES ({Values("outbox")});", transaction.Connection, transaction);
        AddParameters(command, aggregateType, aggregateId, message);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static void AddParameters<T>(MySqlCommand command, string aggregateType, long aggregateId, T message, string prefix = "outbox")
        where T : IIntegrationEvent
    {
        command.Parameters.AddWithValue($"@{prefix}AggregateType", aggregateType);
        command.Parameters.AddWithValue($"@{prefix}AggregateId", aggregateId);
        command.Parameters.AddWithValue($"@{prefix}MessageType", T.MessageType);
        command.Parameters.AddWithValue($"@{prefix}Payload", JsonSerializer.Serialize(message, MessageJson.Options));
        // The request's trace continues through the relay and its consumers: one trace from the request on.
        command.Parameters.AddWithValue($"@{prefix}Traceparent", Activity.Current?.Id);
        command.Parameters.AddWithValue($"@{prefix}Tracestate", Activity.Current?.TraceStateString);
    }

    /// <summary>Call after the transaction committed: wakes the relay instead of waiting for its next poll.</summary>
    public void NotifyCommitted() => signal.Notify();
}

/// <summary>The outbox table of this service: `outbox` for the catalog, `booking_outbox` for the sale.</summary>
public sealed record OutboxTable(string Name);

public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        // Already signalled: one wake-up publishes everything pending. Checked first because every booking batch
        // notifies, and a thrown SemaphoreFullException (the race below) costs far more than the check.
        if (_pending.CurrentCount > 0)
        {
            return;
        }
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another committer signalled between the check and the release.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);
}
