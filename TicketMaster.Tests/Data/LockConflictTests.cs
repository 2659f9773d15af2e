using System.Diagnostics.Metrics;
using MySqlConnector;
using TicketMaster.Data;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Data;

[Collection(AppHostCollection.Name)]
public sealed class LockConflictTests(AppHostFixture fixture)
{
    // A real InnoDB deadlock: two transactions take two rows in opposite orders. InnoDB rolls back the smaller one
    // (the one that changed fewer rows), whose work — run through LockConflicts.RetryAsync, as the payment ledger's
    // and the booking writer's are — then runs again and succeeds once the other commits; the retry is counted.
    [Fact]
    public async Task A_deadlock_victim_run_through_RetryAsync_is_run_again_and_succeeds()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(await fixture.GetConnectionStringAsync("mysql"));
        await using var setup = new MySqlConnection(scratch.ConnectionString);
        await setup.OpenAsync();
        await ExecuteAsync(setup, null, "CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
        await ExecuteAsync(setup, null, "CREATE TABLE bulk (id INT PRIMARY KEY) ENGINE=InnoDB");
        await ExecuteAsync(setup, null, "INSERT INTO t VALUES (1, 0), (2, 0)");

        await using var other = new MySqlConnection(scratch.ConnectionString);
        await other.OpenAsync();
        await using var otherTransaction = await other.BeginTransactionAsync();
        // Fifty rows make this transaction the bigger one, so InnoDB picks the other as its victim.
        await ExecuteAsync(other, otherTransaction, "INSERT INTO bulk VALUES " + string.Join(", ", Enumerable.Range(1, 50).Select(i => $"({i})")));
        await ExecuteAsync(other, otherTransaction, "UPDATE t SET v = v + 1 WHERE id = 1");

        var countedDeadlocks = 0L;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "ticketmaster.mysql.lock_conflict_retries")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "error", Value: "deadlock" })
                {
                    Interlocked.Add(ref countedDeadlocks, value);
                }
            }
        });
        listener.Start();

        var attempts = 0;
        var holdsRowTwo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var retried = LockConflicts.RetryAsync(async () =>
        {
            Interlocked.Increment(ref attempts);
            await using var connection = new MySqlConnection(scratch.ConnectionString);
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await ExecuteAsync(connection, transaction, "UPDATE t SET v = v + 10 WHERE id = 2");
            holdsRowTwo.TrySetResult();
            await ExecuteAsync(connection, transaction, "UPDATE t SET v = v + 10 WHERE id = 1"); // waits for the other
            await transaction.CommitAsync();
        });
        await holdsRowTwo.Task;
        await Task.Delay(300);
        await ExecuteAsync(other, otherTransaction, "UPDATE t SET v = v + 1 WHERE id = 2"); // the cycle closes here
        await otherTransaction.CommitAsync();
        await retried;

        Assert.Equal(2, attempts);
        Assert.Equal(1, Interlocked.Read(ref countedDeadlocks)); // what operators see as ticketmaster.mysql.lock_conflict_retries
        await using var check = new MySqlCommand("SELECT GROUP_CONCAT(v ORDER BY id) FROM t", setup);
        Assert.Equal("11,11", await check.ExecuteScalarAsync() as string);
    }

    private static async Task ExecuteAsync(MySqlConnection connection, MySqlTransaction? transaction, string sql)
    {
        await using var command = new MySqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }
}
