using RabbitMQ.Client;

namespace TicketMaster.BookingApi.WriteQueue;

// DESIGN §3 item 6: confirmations reach MySQL through this queue, where a writer batches them.
public static class WriteQueueTopology
{
    public const string Queue = "booking.writes";

    /// <summary>Durable, so writes waiting during a broker restart survive it; every replica declares the same.</summary>
    public static Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
}
