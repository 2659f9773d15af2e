using System.Text.Json;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.AppHost;

// Publish mode describes the deployable topology: the same names as in run mode, but as containers.
public sealed class PublishManifestTests
{
    private static Lazy<Task<JsonElement>> Manifest => PublishedManifest.Instance;

    [Theory]
    [InlineData("mysql", "mysql:8.4")]
    [InlineData("redis", "redis:")]
    [InlineData("rabbitmq", "rabbitmq:")]
    [InlineData("search", "elasticsearch/elasticsearch:8.")]
    public async Task Servers_are_containers_with_connection_strings(string name, string image)
    {
        var resource = (await Manifest.Value).GetProperty("resources").GetProperty(name);

        Assert.StartsWith("container.", resource.GetProperty("type").GetString());
        Assert.Contains(image, resource.GetProperty("image").GetString());
        Assert.Contains($"{{{name}.bindings.", resource.GetProperty("connectionString").GetString());
    }

    [Theory]
    [InlineData("eventsapi", new[] { "catalog", "redis", "rabbitmq", "search" })]
    [InlineData("bookingapi", new[] { "booking", "redis", "rabbitmq", "mail" })]
    [InlineData("indexer", new[] { "rabbitmq", "search" })]
    public async Task Services_are_projects_referencing_exactly_their_dependencies(string name, string[] dependencies)
    {
        var resource = (await Manifest.Value).GetProperty("resources").GetProperty(name);

        Assert.StartsWith("project.", resource.GetProperty("type").GetString());
        var connectionStrings = resource.GetProperty("env").EnumerateObject()
            .Where(p => p.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
            .ToDictionary(p => p.Name["ConnectionStrings__".Length..], p => p.Value.GetString());
        Assert.Equal(dependencies.Order(), connectionStrings.Keys.Order());
        foreach (var dependency in dependencies)
        {
            Assert.Equal($"{{{dependency}.connectionString}}", connectionStrings[dependency]);
        }
    }

    [Theory]
    [InlineData("indexer")]
    [InlineData("bookingapi")]
    public async Task The_catalogs_readers_find_it_through_service_discovery(string name)
    {
        var env = (await Manifest.Value).GetProperty("resources").GetProperty(name).GetProperty("env");
        Assert.Equal("{eventsapi.bindings.http.url}", env.GetProperty("services__eventsapi__http__0").GetString());
        Assert.StartsWith("{jwt-signing-key", env.GetProperty("Auth__SigningKey").GetString());
    }

    // Each service's database is reached as its own user with a generated password; the server creates both at start.
    [Theory]
    [InlineData("catalog", "eventsapi")]
    [InlineData("booking", "bookingapi")]
    public async Task Each_service_database_has_its_own_user_and_password(string database, string user)
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var connectionString = resources.GetProperty(database).GetProperty("connectionString").GetString()!;
        Assert.Contains($"User ID={user};Password={{{database}-password.value}};Database={database}", connectionString);
        Assert.Equal("parameter.v0", resources.GetProperty($"{database}-password").GetProperty("type").GetString());
        var mysql = resources.GetProperty("mysql");
        Assert.Equal($"{{{database}-password.value}}", mysql.GetProperty("env").GetProperty($"{database.ToUpperInvariant()}_DB_PASSWORD").GetString());
        var init = mysql.GetProperty("args")[1].GetString()!;
        Assert.Contains($"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES ON {database}.* TO '{user}'@'%'", init);
    }

    [Fact]
    public async Task No_local_executable_or_literal_password_leaks_into_the_manifest()
    {
        var manifest = await Manifest.Value;
        var resources = manifest.GetProperty("resources").EnumerateObject().ToList();

        Assert.DoesNotContain(resources, r => r.Value.GetProperty("type").GetString()!.StartsWith("executable.", StringComparison.Ordinal));
        Assert.DoesNotContain(resources, r => r.Name == "rabbitmq-epmd");
        // Passwords are generated parameters, referenced by name.
        Assert.Contains("{mysql-password.value}", manifest.GetProperty("resources").GetProperty("mysql").GetProperty("connectionString").GetString());
        Assert.Equal("parameter.v0", manifest.GetProperty("resources").GetProperty("mysql-password").GetProperty("type").GetString());
    }
}
