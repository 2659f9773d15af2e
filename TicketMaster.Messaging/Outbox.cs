using System.Diagnostics;
using System.Text.Json;
using MySqlConnector;

namespace TicketMaster.Messaging;

// The write side of the transactional outbox (DESIGN §4): a message row written in the caller's transaction,
// so a change and its announcement commit or roll back together. The relay publishes it later.
public sealed class Outbox(OutboxSignal signal)
{
    private const string Columns = "aggregate_type, aggregate_id, message_type, payload, traceparent, tracestate";

    /// <summary>The INSERT for a caller that sends it within a larger command (parameters from <see cref="AddParameters"/> with the same prefix).</summary>
    public static string InsertSql(string prefix = "outbox") => $"INSERT INTO outbox ({Columns}) VALUES ({Values(prefix)});";

    /// <summary>One INSERT of several messages (parameters added with one prefix each), each written only when its SQL condition holds.</summary>
    public static string InsertSql(IEnumerable<(string Prefix, string OnlyIf)> rows) =>
        $"INSERT INTO outbox ({Columns}) {string.Join(" UNION ALL ", rows.Select(r => $"SELECT {Values(r.Prefix)} FROM DUAL WHERE {r.OnlyIf}"))};";

    private static string Values(string prefix) =>
        $"@{prefix}AggregateType, @{prefix}AggregateId, @{prefix}MessageType, @{prefix}Payload, @{prefix}Traceparent, @{prefix}Tracestate";

    public async Task AppendAsync(MySqlTransaction transaction, string aggregateType, long aggregateId, string messageType,
        object payload, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand(InsertSql(), transaction.Connection, transaction);
        AddParameters(command, aggregateType, aggregateId, messageType, payload);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static void AddParameters(MySqlCommand command, string aggregateType, long aggregateId, string messageType, object payload,
        string prefix = "outbox")
    {
        command.Parameters.AddWithValue($"@{prefix}AggregateType", aggregateType);
        command.Parameters.AddWithValue($"@{prefix}AggregateId", aggregateId);
        command.Parameters.AddWithValue($"@{prefix}MessageType", messageType);
        command.Parameters.AddWithValue($"@{prefix}Payload", JsonSerializer.Serialize(payload, MessageJson.Options));
        // The request's trace continues through the relay and its consumers: one trace from the request on.
        command.Parameters.AddWithValue($"@{prefix}Traceparent", Activity.Current?.Id);
        command.Parameters.AddWithValue($"@{prefix}Tracestate", Activity.Current?.TraceStateString);
    }

    /// <summary>Call after the transaction committed: wakes the relay instead of waiting for its next poll.</summary>
    public void NotifyCommitted() => signal.Notify();
}

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
