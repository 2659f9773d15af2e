using RabbitMQ.Client.Exceptions;

namespace TicketMaster.Messaging;

public static class BrokerFailures
{
    /// <summary>RabbitMQ restarting or unreachable: the request may be retried in a moment.</summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is BrokerUnreachableException or AlreadyClosedException or ConnectFailureException or BrokerRecoveringException;
}
