using System.Net;
using System.Net.Sockets;

namespace TicketMaster.Tests.Infrastructure;

/// <summary>An HTTP listener of the test process on a free loopback port (the services call it, like a provider's API).</summary>
public abstract class LocalServer : IDisposable
{
    private readonly HttpListener _listener = new();

    protected LocalServer()
    {
        BaseAddress = $"http://127.0.0.1:{FreePort()}";
        _listener.Prefixes.Add(BaseAddress + "/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string BaseAddress { get; }

    protected abstract Task RespondAsync(HttpListenerContext context);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Close();
        GC.SuppressFinalize(this);
    }
}
