using MySqlConnector;

namespace TicketMaster.Tests.Infrastructure;

/// <summary>A fresh, uniquely named database on the test MariaDB, dropped on dispose.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;
    private readonly string _name;

    private ScratchDatabase(string serverConnectionString, string name, string connectionString)
    {
        _serverConnectionString = serverConnectionString;
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(string appConnectionString)
    {
        var name = $"scratch_{Guid.NewGuid():N}"[..24];
        var builder = new MySqlConnectionStringBuilder(appConnectionString) { Database = "" };
        await ExecuteAsync(builder.ConnectionString, $"CREATE DATABASE `{name}`");
        var server = builder.ConnectionString;
        builder.Database = name;
        return new ScratchDatabase(server, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync(_serverConnectionString, $"DROP DATABASE IF EXISTS `{_name}`");

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
