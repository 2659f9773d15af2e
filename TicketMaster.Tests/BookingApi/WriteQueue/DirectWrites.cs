using MySqlConnector;
using TicketMaster.BookingApi.Bookings;
using TicketMaster.BookingApi.Payments;
using TicketMaster.Messaging;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.WriteQueue;

/// <summary>BookingApi's payment ledger and booking writer on their own data sources, for tests that drive a write step by step.</summary>
public sealed class DirectWrites : IAsyncDisposable
{
    private readonly MySqlDataSource _dataSource;
    private readonly MySqlDataSource _writerSource;

    private DirectWrites(string connectionString)
    {
        _dataSource = new MySqlDataSource(connectionString);
        _writerSource = new MySqlDataSource(BookingWriter.ConnectionString(connectionString));
        Ledger = new PaymentLedger(_dataSource);
        Writer = new BookingWriter(_writerSource, new Outbox(new OutboxSignal(), new OutboxTable("booking_outbox")));
    }

    public PaymentLedger Ledger { get; }

    public BookingWriter Writer { get; }

    public MySqlDataSource DataSource => _dataSource;

    public static async Task<DirectWrites> CreateAsync(AppHostFixture fixture) => new(await fixture.GetConnectionStringAsync("booking"));

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _writerSource.DisposeAsync();
    }
}
