namespace TicketMaster.AppHost.Servers;

// A real SMTP server for run mode and tests: Debian's python3-aiosmtpd as an executable resource. It accepts every
// message on loopback (no login, no TLS) and keeps it in a Maildir. Connection string: smtp://host:port.
public sealed class MailServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "smtp";

    /// <summary>Where every message received is kept (a Maildir: new/ holds one file per message).</summary>
    public string Maildir => Path.Combine(WorkingDirectory, "Maildir");

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"smtp://{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
