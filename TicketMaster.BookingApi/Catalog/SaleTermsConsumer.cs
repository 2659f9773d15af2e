using RabbitMQ.Client;
using TicketMaster.Messaging;

namespace TicketMaster.BookingApi.Catalog;

// The catalog's changes to an event's terms (status, times, limits, waiting room, door staff, details) reach the sale
// as event.sale_changed: kept in sale_event / sale_staff, newest version wins. The sale's caches of the terms live
// half a second, so a cancellation stops every replica's sales within about a second of its publication.
public sealed class SaleTermsConsumer(IConnection connection, SaleEventStore sales, ILogger<SaleTermsConsumer> logger)
    : MessageConsumer(connection, logger)
{
    protected override string Queue => BrokerTopology.SaleTermsQueue;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        BrokerTopology.DeclareSaleTermsQueueAsync(channel, cancellationToken);

    protected override async Task HandleAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var terms = Read<EventSaleChanged>(messageType, body);
        if (terms is not { Event: { EventId: > 0, Version: > 0, Status: not null, Venue: not null, Performers: not null }, OwnerId: not null, Staff: not null })
        {
            throw new PoisonMessageException("The event.sale_changed body lacks event, owner_id or staff.");
        }
        await sales.SaveTermsAsync(terms, cancellationToken);
    }
}
