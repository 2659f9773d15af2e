namespace TicketMaster.AppHost.Servers;

public static class SearchServerExtensions
{
    private const int ElasticsearchPort = 9200;

    /// <summary>
    /// Elasticsearch under <paramref name="name"/> in publish mode. Null locally: there is no Elasticsearch server
    /// on these machines, so the services fall back to the embedded Lucene.Net index (DESIGN §4).
    /// </summary>
    public static IResourceBuilder<ElasticsearchContainerResource>? AddSearchServer(
        this IDistributedApplicationBuilder builder, string name, LocalServers? local)
    {
        if (local is not null)
        {
            return null;
        }

        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        return builder.AddResource(new ElasticsearchContainerResource(name, password))
            .WithImage("elasticsearch/elasticsearch", "8.17.4")
            .WithImageRegistry("docker.elastic.co")
            .WithHttpEndpoint(targetPort: ElasticsearchPort, name: ElasticsearchContainerResource.EndpointName)
            .WithEnvironment("discovery.type", "single-node")
            .WithEnvironment("xpack.security.enabled", "true")
            .WithEnvironment("ELASTIC_PASSWORD", password)
            .WithEnvironment("ES_JAVA_OPTS", "-Xms512m -Xmx512m")
            .WithVolume($"ticketmaster-{name}-data", "/usr/share/elasticsearch/data");
    }

    /// <summary>
    /// Elasticsearch's `search` connection string when it is part of the model; locally the shared Lucene index
    /// directory that the Indexer writes and EventsApi reads.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSearch(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ElasticsearchContainerResource>? search, LocalServers? local)
    {
        if (search is not null)
        {
            return project.WithReference(search).WaitFor(search);
        }
        return local is null ? project : project.WithEnvironment("Search__IndexPath", local.Options.DataDirFor("search-index"));
    }
}

// Connection string in the form Aspire's Elasticsearch integration uses: http://elastic:{password}@host:port.
public sealed class ElasticsearchContainerResource(string name, ParameterResource password)
    : ContainerResource(name), IResourceWithConnectionString
{
    public const string EndpointName = "http";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"http://elastic:{password}@{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
