using MySqlConnector;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.Data;

// Each service connects as its own MySQL user, granted its own database only: the catalog's tables are EventsApi's,
// the sale's are BookingApi's, and neither can read or write the other's (docs/DESIGN.md §2).
[Collection(AppHostCollection.Name)]
public sealed class TableOwnershipTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData("booking", "bookingapi", "INSERT INTO catalog.event_staff (event_id, user_id) VALUES (1, 'intruder')")]
    [InlineData("booking", "bookingapi", "UPDATE catalog.event SET status = 'cancelled'")]
    [InlineData("booking", "bookingapi", "SELECT COUNT(*) FROM catalog.event")]
    [InlineData("catalog", "eventsapi", "INSERT INTO booking.ticket (ticket_id, booking_id, event_id, seat_id, price_cents) VALUES (1, 1, 1, 1, 0)")]
    [InlineData("catalog", "eventsapi", "UPDATE booking.event_seat SET status = 'sold'")]
    [InlineData("catalog", "eventsapi", "SELECT COUNT(*) FROM booking.payment")]
    public async Task A_service_cannot_read_or_write_another_services_tables(string database, string user, string sql)
    {
        var connectionString = await fixture.GetConnectionStringAsync(database);
        Assert.Equal(user, new MySqlConnectionStringBuilder(connectionString).UserID);
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();

        await using var command = new MySqlCommand(sql, connection);
        var denied = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal(MySqlErrorCode.TableAccessDenied, denied.ErrorCode);
    }

    [Theory]
    [InlineData("catalog", "SELECT COUNT(*) FROM event")]
    [InlineData("booking", "SELECT COUNT(*) FROM event_seat")]
    public async Task A_service_reads_its_own_tables_as_its_own_user(string database, string sql)
    {
        await using var connection = new MySqlConnection(await fixture.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        Assert.True(Convert.ToInt64(await command.ExecuteScalarAsync()) >= 0);
    }

    [Fact]
    public async Task A_service_user_cannot_create_a_database_or_grant_itself_more()
    {
        await using var connection = new MySqlConnection(await fixture.GetConnectionStringAsync("booking"));
        await connection.OpenAsync();
        foreach (var sql in new[]
        {
            "CREATE DATABASE intruder", "GRANT SELECT ON catalog.* TO 'bookingapi'@'%'", "CREATE VIEW booking_events AS SELECT 1 AS one",
            "CREATE TRIGGER seat_sold BEFORE UPDATE ON event_seat FOR EACH ROW SET NEW.price_cents = 0",
        })
        {
            await using var command = new MySqlCommand(sql, connection);
            var denied = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains(denied.ErrorCode, new[] { MySqlErrorCode.DatabaseAccessDenied, MySqlErrorCode.AccessDenied, MySqlErrorCode.TableAccessDenied });
        }
    }
}
