using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using OpenTelemetry;
using RabbitMQ.Client;
using TicketMaster.Data;

namespace TicketMaster.Messaging;

// Publishes this service's outbox rows to RabbitMQ in id order and stamps them sent (DESIGN §4).
// - Publisher confirms: a row is marked sent only after the broker acknowledged it, so a broker outage
//   leaves rows pending and they go out once it is back (at-least-once; consumers are idempotent).
// - FOR UPDATE SKIP LOCKED: several replicas relay side by side without publishing the same row twice
//   in the normal case.
public sealed class OutboxRelay(
    MySqlDataSource dataSource,
    IConnection connection,
    OutboxSignal signal,
    Outbox outbox,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("TicketMaster");

    private const int BatchSize = 100;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var channel = await connection.CreateChannelOnceRecoveredAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                    stoppingToken);
                // Declared here too, so messages published before the Indexer first starts wait in its queue.
                await BrokerTopology.DeclareExchangesAsync(channel, stoppingToken);

                while (!stoppingToken.IsCancellationRequested)
                {
                    var published = await PublishPendingAsync(channel, stoppingToken);
                    if (published < BatchSize)
                    {
                        await signal.WaitAsync(IdlePoll, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (MySqlException ex) when (ex.IsLockConflict())
            {
                // Rolled back whole; the rows are still pending. Try again at once rather than after a broker-sized pause.
                logger.LogDebug(ex, "Outbox relay transaction was a deadlock victim; retrying");
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Outbox relay failed; rows stay pending, retrying in {Delay}", RetryDelay);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    private async Task<int> PublishPendingAsync(IChannel channel, CancellationToken cancellationToken)
    {
        // The idle poll runs four times a second on every replica; its database spans would bury the real
        // traces on the dashboard, so they are not recorded. The publish spans continue the writer's trace.
        var suppressed = SuppressInstrumentationScope.Begin();
        await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
        // READ COMMITTED: no gap locks, so locking pending rows never blocks (or deadlocks with) writers that are
        // inserting new outbox rows at the end of the same index.
        await using var transaction = await db.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        var rows = await LockPendingAsync(outbox.Table, transaction, cancellationToken);
        suppressed.Dispose();

        if (rows.Count == 0)
        {
            using (SuppressInstrumentationScope.Begin())
            {
                await transaction.RollbackAsync(cancellationToken);
            }
            return 0;
        }

        foreach (var row in rows)
        {
            await PublishAsync(channel, row, cancellationToken);
        }

        using (SuppressInstrumentationScope.Begin())
        {
            await using var update = new MySqlCommand(
                $"UPDATE {outbox.Table} SET sent_at = CURRENT_TIMESTAMP(6) WHERE outbox_id IN ({string.Join(',', rows.Select(r => r.OutboxId))})",
                db, transaction);
            await update.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return rows.Count;
    }

    private static async Task<List<OutboxRow>> LockPendingAsync(string table, MySqlTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = new List<OutboxRow>();
        await using var select = new MySqlCommand($"""
            SELECT outbox_id, message_type, payload, traceparent, tracestate
            FROM {table} WHERE sent_at IS NULL ORDER BY outbox_id LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, transaction.Connection, transaction);
        select.Parameters.AddWithValue("@batch", BatchSize);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new OutboxRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return rows;
    }

    private static async Task PublishAsync(IChannel channel, OutboxRow row, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
        var exchange = BrokerTopology.ExchangeFor(row.MessageType);
        using var activity = ActivitySource.StartActivity($"{exchange} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", exchange);
        activity?.SetTag("messaging.message.id", row.OutboxId);

        var properties = new BasicProperties
        {
            MessageId = row.OutboxId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Type = row.MessageType,
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            Headers = TraceHeaders.From(activity, row.TraceParent, row.TraceState),
        };
        // With confirmation tracking on, this completes when the broker has the message (throws on a nack).
        await channel.BasicPublishAsync(exchange, row.MessageType, mandatory: false, properties,
            Encoding.UTF8.GetBytes(row.Payload), cancellationToken);
    }

    private sealed record OutboxRow(long OutboxId, string MessageType, string Payload, string? TraceParent, string? TraceState);
}
