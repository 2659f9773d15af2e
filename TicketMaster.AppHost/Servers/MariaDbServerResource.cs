namespace TicketMaster.AppHost.Servers;

// MySQL for run mode and tests: Debian's mariadbd as an executable resource (no container engine here).
// Connects as root with a generated password that the init file re-applies at every start, so a kept
// data directory works with a freshly generated password.
public sealed class MariaDbServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};User ID=root;Password={Password}");
}
