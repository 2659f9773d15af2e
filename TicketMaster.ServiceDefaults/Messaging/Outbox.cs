using System.Diagnostics;
using System.Text.Json;
using MySqlConnector;

namespace TicketMaster.ServiceDefaults.Messaging;

// The write side of the transactional outbox (DESIGN §4): a message row written in the caller's transaction,
// so a change and its announcement commit or roll back together. The relay publishes it later.
public sealed class Outbox(OutboxSignal signal)
{
    /// <summary>The INSERT, for a caller that sends it within a larger command (with <see cref="AddParameters"/>).</summary>
    public const string InsertSql = """
        INSERT INTO outbox (aggregate_type, aggregate_id, message_type, payload, traceparent, tracestate)
        VALUES (@outboxAggregateType, @outboxAggregateId, @outboxMessageType, @outboxPayload, @outboxTraceparent, @outboxTracestate);
        """;

    public async Task AppendAsync(MySqlTransaction transaction, string aggregateType, long aggregateId, string messageType,
        object payload, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand(InsertSql, transaction.Connection, transaction);
        AddParameters(command, aggregateType, aggregateId, messageType, payload);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static void AddParameters(MySqlCommand command, string aggregateType, long aggregateId, string messageType, object payload)
    {
        command.Parameters.AddWithValue("@outboxAggregateType", aggregateType);
        command.Parameters.AddWithValue("@outboxAggregateId", aggregateId);
        command.Parameters.AddWithValue("@outboxMessageType", messageType);
        command.Parameters.AddWithValue("@outboxPayload", JsonSerializer.Serialize(payload, TicketMasterJson.Options));
        // The request's trace continues through the relay and its consumers: one trace from the request on.
        command.Parameters.AddWithValue("@outboxTraceparent", Activity.Current?.Id);
        command.Parameters.AddWithValue("@outboxTracestate", Activity.Current?.TraceStateString);
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
