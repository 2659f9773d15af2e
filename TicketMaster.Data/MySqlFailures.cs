using MySqlConnector;

namespace TicketMaster.Data;

public static class MySqlFailures
{
    // MySqlConnector calls connection failures (and lock conflicts that outlasted their reruns) transient; a server
    // going away in the middle of a result set is not flagged so, but is the same moment to retry.
    public static bool IsUnavailable(Exception exception) =>
        exception is MySqlException { IsTransient: true }
            or MySqlException { InnerException: MySqlEndOfStreamException or IOException or System.Net.Sockets.SocketException };
}
