using System.Diagnostics.Metrics;
using MySqlConnector;

namespace TicketMaster.Data;

// InnoDB resolves a deadlock by rolling one of the transactions back whole, and gives up a lock wait after
// innodb_lock_wait_timeout: either way nothing of the loser was applied, so it can simply run again. Busy sales make
// both routine (every confirm's payment insert, booking and capture move entries of the payment table's status
// index; 14 deadlocks in one 128-loop benchmark run turned into 500s before the ledger retried). A connection lost
// to a server restart is rerun too (below).
public static class LockConflicts
{
    public const int MaxAttempts = 5;

    // How often work lost a lock conflict and ran again: a rising rate is the first sign of a hot row or index.
    private static readonly Counter<long> Retries = new Meter("TicketMaster").CreateCounter<long>("ticketmaster.mysql.lock_conflict_retries",
        "{retry}", "Transactions or statements rerun after InnoDB rolled them back for a deadlock or a lock wait timeout, or after their connection was lost");

    public static bool IsLockConflict(this MySqlException ex) =>
        ex.ErrorCode is MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout;

    // A pooled connection the server had closed (it restarted): the pools that skip the session reset on open (the
    // booking writer's and the ledger's) hand such connections out, and each failed once — a 500 per dead connection.
    private static bool IsConnectionLost(this MySqlException ex) =>
        ex.InnerException is MySqlEndOfStreamException or IOException or System.Net.Sockets.SocketException;

    /// <summary>
    /// Runs <paramref name="work"/> — one whole transaction, or one autocommitted statement — again after a short,
    /// growing, random pause whenever it lost a lock conflict, up to <see cref="MaxAttempts"/> times in all.
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (MySqlException ex) when (ex.IsLockConflict() && attempt < MaxAttempts)
            {
                Retries.Add(1, new KeyValuePair<string, object?>("error", ex.ErrorCode == MySqlErrorCode.LockDeadlock ? "deadlock" : "lock_wait_timeout"));
                await Task.Delay(Random.Shared.Next(5, 25) * attempt, cancellationToken);
            }
            catch (MySqlException ex) when (ex.IsConnectionLost() && attempt < MaxAttempts)
            {
                // The server rolled back whatever was open on it (or is gone): drop every pooled connection to it, not
                // one per failure, and run again on a fresh one. (Work whose commit was lost in flight runs twice:
                // the booking writer's guards find their own booking, the ledger's statements are idempotent.)
                Retries.Add(1, new KeyValuePair<string, object?>("error", "connection_lost"));
                await MySqlConnection.ClearAllPoolsAsync();
            }
        }
    }

    public static Task RetryAsync(Func<Task> work, CancellationToken cancellationToken = default) =>
        RetryAsync(async () =>
        {
            await work();
            return true;
        }, cancellationToken);
}
