using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.Indexer.Catalog;

// The catalog as its owner serves it: the Indexer rebuilds the index from EventsApi's API (as the search-indexer
// role, in a token of its own), never from the catalog's tables.
public sealed class CatalogClient(HttpClient http, TokenSettings tokens)
{
    public const string SubjectId = "indexer";
    private const int PageSize = 1_000;

    public async IAsyncEnumerable<EventDocument> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? after = 0;
        while (after is { } from)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/admin/catalog/documents?after={from}&limit={PageSize}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                tokens.Issue(SubjectId, [Roles.SearchIndexer], TimeSpan.FromMinutes(5)));
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<CatalogDocumentsPage>(MessageJson.Options, cancellationToken)
                ?? throw new InvalidOperationException("EventsApi answered an empty page.");
            foreach (var document in page.Documents)
            {
                yield return document;
            }
            after = page.NextAfter;
        }
    }
}
