using Microsoft.Extensions.DependencyInjection;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace Microsoft.Extensions.Hosting;

public static class MessagingExtensions
{
    /// <summary>
    /// The transactional outbox in <paramref name="table"/> (this service's own) and its relay to RabbitMQ. Needs
    /// AddMySqlDataSource and AddRabbitMQClient.
    /// </summary>
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder, string table)
    {
        builder.Services.AddSingleton(new OutboxTable(table));
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<Outbox>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.AddRowPruning(new PruneRule(table, "sent_at", retention => retention.SentOutbox));
        return builder;
    }
}
