using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.AppHost;

[Collection(AppHostCollection.Name)]
public sealed class TopologyTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Every_resource_of_the_model_reaches_healthy()
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var started = model.Resources
            // Aspire adds a hidden (internal) rebuilder per project that runs only on the dashboard's Rebuild command.
            .Where(r => r is ExecutableResource or ProjectResource && r.GetType().Name != "ProjectRebuilderResource")
            .Select(r => r.Name)
            .Order()
            .ToArray();

        Assert.Equal(AppHostFixture.ResourceNames.Order(), started);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var name in started)
        {
            var state = await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
            Assert.Equal(HealthStatus.Healthy, state.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task Local_servers_run_as_executables_with_connection_strings()
    {
        var mysql = await fixture.GetConnectionStringAsync("mysql");
        var catalog = await fixture.GetConnectionStringAsync("catalog");
        var booking = await fixture.GetConnectionStringAsync("booking");
        var redis = await fixture.GetConnectionStringAsync("redis");
        var rabbitmq = await fixture.GetConnectionStringAsync("rabbitmq");

        Assert.Matches(@"User ID=root;Password=[A-Za-z0-9]{16,}$", mysql);
        // Each service's database, as the service's own user with a password of its own.
        Assert.Matches(@"User ID=eventsapi;Password=[A-Za-z0-9]{16,};Database=catalog$", catalog);
        Assert.Matches(@"User ID=bookingapi;Password=[A-Za-z0-9]{16,};Database=booking$", booking);
        Assert.Matches(@"^[^:]+:\d+,password=[A-Za-z0-9]{16,}$", redis);
        Assert.Matches(@"^amqp://ticketmaster:[A-Za-z0-9]{16,}@[^:]+:\d+$", rabbitmq);
    }

    [Theory]
    [InlineData("eventsapi", new[] { "catalog", "StackExchange.Redis", "RabbitMQ.Client" })]
    [InlineData("bookingapi", new[] { "booking", "StackExchange.Redis", "RabbitMQ.Client" })]
    [InlineData("indexer", new[] { "RabbitMQ.Client", "catalog-consumer" })]
    public async Task Health_is_200_and_lists_each_dependency_as_healthy(string service, string[] dependencies)
    {
        using var http = fixture.App.CreateHttpClient(service);

        var response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        foreach (var dependency in dependencies)
        {
            Assert.True(checks.TryGetProperty(dependency, out var status), $"{service} /health does not list {dependency}: {checks}");
            Assert.Equal("Healthy", status.GetString());
        }
    }

    [Theory]
    [InlineData("eventsapi")]
    [InlineData("bookingapi")]
    [InlineData("indexer")]
    public async Task Alive_answers_without_touching_dependencies(string service)
    {
        using var http = fixture.App.CreateHttpClient(service);

        var response = await http.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("eventsapi", "TicketMaster.EventsApi")]
    [InlineData("bookingapi", "TicketMaster.BookingApi")]
    public async Task Apis_serve_their_OpenAPI_document(string service, string title)
    {
        using var http = fixture.App.CreateHttpClient(service);

        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));

        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
        Assert.Contains(title, document.RootElement.GetProperty("info").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Indexer_declared_its_queue_with_a_dead_letter_queue()
    {
        await using var connection = await fixture.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();

        // Passive declarations throw when the queue does not exist.
        var queue = await channel.QueueDeclarePassiveAsync(TicketMaster.Messaging.BrokerTopology.IndexerQueue);
        var deadLetters = await channel.QueueDeclarePassiveAsync(TicketMaster.Messaging.BrokerTopology.IndexerDeadLetterQueue);

        Assert.Equal(TicketMaster.Messaging.BrokerTopology.IndexerQueue, queue.QueueName);
        Assert.Equal(TicketMaster.Messaging.BrokerTopology.IndexerDeadLetterQueue, deadLetters.QueueName);
    }

    [Fact]
    public async Task Redis_refuses_commands_without_the_generated_password()
    {
        var connectionString = await fixture.GetConnectionStringAsync("redis");
        var endpoint = connectionString[..connectionString.IndexOf(',')].Split(':');

        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(endpoint[0], int.Parse(endpoint[1]));
        await using var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[256];
        var read = await stream.ReadAsync(buffer);

        Assert.StartsWith("-NOAUTH", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Theory]
    [InlineData("mysql")]
    [InlineData("redis")]
    [InlineData("rabbitmq")]
    public async Task Data_stores_are_reached_directly_not_through_the_proxy(string name)
    {
        // The services' connection strings name the port the server itself listens on: no DCP proxy hop per query.
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var server = model.Resources.OfType<IResourceWithEndpoints>().Single(r => r.Name == name);
        var endpoint = server.GetEndpoints().First(e => e.EndpointName == "tcp");
        var connectionString = await fixture.GetConnectionStringAsync(name);

        Assert.False(endpoint.EndpointAnnotation.IsProxied);
        Assert.Equal(endpoint.TargetPort, endpoint.Port);
        Assert.Contains(endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), connectionString);
    }

    [Theory]
    [InlineData("eventsapi")]
    [InlineData("bookingapi")]
    [InlineData("indexer")]
    public async Task Without_a_dashboard_the_services_send_their_telemetry_to_the_configured_collector(string name)
    {
        // The fixture passes TicketMaster:Telemetry:Endpoint: the tests' own collector, over OTLP/HTTP.
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var project = model.Resources.OfType<ProjectResource>().Single(r => r.Name == name);

        // Obsolete in favour of ExecutionConfigurationBuilder, which needs its gatherers assembled by hand; this
        // evaluates the same environment callbacks the run used.
#pragma warning disable CS0618
        var environment = await project.GetEnvironmentVariableValuesAsync();
#pragma warning restore CS0618

        Assert.True(environment.ContainsKey("OTEL_SERVICE_NAME"), "Aspire's telemetry settings were applied");
        Assert.Equal(fixture.Traces.BaseAddress, environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
    }
}
