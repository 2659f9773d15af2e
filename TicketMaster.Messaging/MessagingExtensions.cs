using Microsoft.Extensions.DependencyInjection;
using TicketMaster.Data;
using TicketMaster.Messaging;

namespace Microsoft.Extensions.Hosting;

public static class MessagingExtensions
{
    /// <summary>The transactional outbox and its relay to RabbitMQ. Needs AddMySqlDataSource and AddRabbitMQClient.</summary>
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<Outbox>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.AddRowPruning(new PruneRule("outbox", "sent_at", retention => retention.SentOutbox));
        return builder;
    }
}
