using System.Net.Sockets;
using System.Text;

namespace TicketMaster.AppHost.Servers;

public static class MailServerExtensions
{
    /// <summary>
    /// The SMTP server fans' mail goes to, under <paramref name="name"/>: aiosmtpd locally; when published, the
    /// operator's server, a secret connection string (smtp://host:port or smtps://, user:password@ if it wants a login).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddMailServer(
        this IDistributedApplicationBuilder builder, string name, LocalServers? local)
    {
        if (local is null)
        {
            return builder.AddConnectionString(name);
        }

        var server = new MailServerResource(name, local.Binaries.Python, local.Options.DataDirFor(name));
        return builder.AddResource(server)
            .WithEndpoint(name: MailServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("-m");
                context.Args.Add("aiosmtpd");
                context.Args.Add("-n");
                context.Args.Add("-l");
                context.Args.Add(ReferenceExpression.Create($"127.0.0.1:{server.PrimaryEndpoint.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add("-c");
                context.Args.Add("local_mail_server.LoggingMailbox");
                context.Args.Add(server.Maildir);
            })
            // The handler lives next to this file; unbuffered, so each message's line reaches the dashboard at once.
            .WithEnvironment("PYTHONPATH", Path.Combine(builder.AppHostDirectory, "Servers"))
            .WithEnvironment("PYTHONUNBUFFERED", "1")
            .WithHealthCheck(builder.AddReadinessCheck(name, cancellationToken => GreetAsync(server, cancellationToken)));
    }

    // Ready means the server greets with 220 (the port alone may be open before it is).
    private static async Task GreetAsync(MailServerResource server, CancellationToken cancellationToken)
    {
        var endpoint = server.PrimaryEndpoint;
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
        var buffer = new byte[512];
        var read = await client.GetStream().ReadAsync(buffer, cancellationToken);
        var greeting = Encoding.ASCII.GetString(buffer, 0, read);
        if (!greeting.StartsWith("220", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected SMTP greeting: {greeting}");
        }
    }
}
