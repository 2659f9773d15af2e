using System.Diagnostics;
using System.Text.Json;
using MySqlConnector;

namespace TicketMaster.ServiceDefaults.Messaging;

// The write side of the transactional outbox (DESIGN §4): a message row written in the caller's transaction,
// so a change and its announcement commit or roll back together. The relay publishes it later.
public sealed class Outbox(OutboxSignal signal)
{
    public async Task AppendAsync(MySqlTransaction transaction, string aggregateType, long aggregateId, string messageType,
        object payload, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand("""
            INSERT INTO outbox (aggregate_type, aggregate_id, message_type, payload, traceparent, tracestate)
            VALUES (@aggregateType, @aggregateId, @messageType, @payload, @traceparent, @tracestate)
            """, transaction.Connection, transaction);
        command.Parameters.AddWithValue("@aggregateType", aggregateType);
        command.Parameters.AddWithValue("@aggregateId", aggregateId);
        command.Parameters.AddWithValue("@messageType", messageType);
        command.Parameters.AddWithValue("@payload", JsonSerializer.Serialize(payload, TicketMasterJson.Options));
        // The request's trace continues through the relay and the Indexer: one trace from POST to index.
        command.Parameters.AddWithValue("@traceparent", Activity.Current?.Id);
        command.Parameters.AddWithValue("@tracestate", Activity.Current?.TraceStateString);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Call after the transaction committed: wakes the relay instead of waiting for its next poll.</summary>
    public void NotifyCommitted() => signal.Notify();
}

public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up publishes everything pending.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);
}
