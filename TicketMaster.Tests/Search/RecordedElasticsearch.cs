using System.Text;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;

namespace TicketMaster.Tests.Search;

/// <summary>
/// The client's in-memory transport, answering each request with a recorded Elasticsearch response chosen by
/// method and path, and keeping every request (method, path, body) for the test to inspect.
/// </summary>
public sealed class RecordedElasticsearch : IRequestInvoker
{
    private readonly InMemoryRequestInvoker _responses = new(null, 200, null, "application/json",
        new Dictionary<string, IEnumerable<string>> { ["X-Elastic-Product"] = ["Elasticsearch"] });
    private readonly Func<string, string, (int Status, string Body)> _respond;

    public RecordedElasticsearch(Func<string, string, (int Status, string Body)> respond) => _respond = respond;

    public List<(string Method, string Path, string? Body)> Requests { get; } = [];

    public ResponseFactory ResponseFactory => _responses.ResponseFactory;

    public ElasticsearchClient Client() =>
        new(new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://localhost:9200")), this,
            (builtIn, settings) => builtIn, null));

    public async Task<TResponse> RequestAsync<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData,
        CancellationToken cancellationToken) where TResponse : TransportResponse, new()
    {
        string? body = null;
        if (postData is not null)
        {
            using var stream = new MemoryStream();
            await postData.WriteAsync(stream, boundConfiguration.ConnectionSettings, false, cancellationToken);
            body = Encoding.UTF8.GetString(stream.ToArray());
        }
        var method = endpoint.Method.ToString().ToUpperInvariant();
        Requests.Add((method, endpoint.PathAndQuery, body));
        var (status, response) = _respond(method, endpoint.PathAndQuery);
        return await _responses.BuildResponseAsync<TResponse>(endpoint, boundConfiguration, postData, cancellationToken,
            Encoding.UTF8.GetBytes(response), status, "application/json");
    }

    public TResponse Request<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData)
        where TResponse : TransportResponse, new() =>
        RequestAsync<TResponse>(endpoint, boundConfiguration, postData, CancellationToken.None).GetAwaiter().GetResult();

    public void Dispose() => ((IDisposable)_responses).Dispose();
}
