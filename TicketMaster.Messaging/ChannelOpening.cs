using System.Runtime.CompilerServices;
using RabbitMQ.Client;

namespace TicketMaster.Messaging;

/// <summary>The broker connection is between a lost link and the end of the client's automatic recovery.</summary>
public sealed class BrokerRecoveringException()
    : Exception("The RabbitMQ connection is recovering; a channel is opened once it is back");

// The client's automatic recovery reopens every channel it knows of. A channel opened while that runs can be reopened
// a second time: its consumer stays on the first inner channel while acks go to the second, the broker closes that one
// for an unknown delivery tag, and the deliveries the first one holds wait unacked for good (confirms answered 202,
// BrokerOutageTests). Channels of this solution are opened only when no recovery is under way.
public static class ChannelOpening
{
    private sealed class RecoveryState
    {
        public volatile bool Recovering;
    }

    private static readonly ConditionalWeakTable<IConnection, RecoveryState> States = new();

    /// <exception cref="BrokerRecoveringException">The connection is recovering: try again in a moment.</exception>
    public static async Task<IChannel> CreateChannelOnceRecoveredAsync(this IConnection connection,
        CreateChannelOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (States.GetValue(connection, Watch).Recovering)
        {
            throw new BrokerRecoveringException();
        }
        return await connection.CreateChannelAsync(options, cancellationToken);
    }

    private static RecoveryState Watch(IConnection connection)
    {
        var state = new RecoveryState();
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            // Closed by this process: there is nothing to recover.
            state.Recovering = args.Initiator != ShutdownInitiator.Application;
            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            state.Recovering = false;
            return Task.CompletedTask;
        };
        return state;
    }
}
