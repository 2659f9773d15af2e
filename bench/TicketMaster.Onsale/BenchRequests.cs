using System.Net.Http.Headers;
using System.Text.Json;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.Onsale;

public static class BenchRequests
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    /// <summary>A request with a snake_case JSON body (if any), as the holder of <paramref name="token"/> (or anonymous).</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient http, HttpMethod method, string path, object? body, string? token,
        CancellationToken cancellationToken = default) =>
        // Serialized up front, so the request carries a Content-Length as browsers' fetch does (JsonContent
        // streams it chunked, which costs the client, Aspire's proxy and Kestrel extra work per request).
        http.SendJsonAsync(method, path, body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, TicketMasterJson.Options), token, cancellationToken);

    /// <summary>The same with the body already serialized (the benchmarks' hot loops build it without a serializer).</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient http, HttpMethod method, string path, byte[]? utf8Json, string? token,
        CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(method, path);
        if (utf8Json is not null)
        {
            request.Content = new ByteArrayContent(utf8Json) { Headers = { ContentType = JsonType } };
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http.SendAsync(request, cancellationToken);
    }
}
