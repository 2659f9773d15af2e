using System.Net.Http.Headers;
using System.Text.Json;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.Bench.Onsale;

public static class BenchRequests
{
    /// <summary>A request with a snake_case JSON body (if any), as the holder of <paramref name="token"/> (or anonymous).</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient http, HttpMethod method, string path, object? body, string? token,
        CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            // Serialized up front, so the request carries a Content-Length as browsers' fetch does (JsonContent
            // streams it chunked, which costs the client, Aspire's proxy and Kestrel extra work per request).
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, TicketMasterJson.Options))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            };
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http.SendAsync(request, cancellationToken);
    }
}
