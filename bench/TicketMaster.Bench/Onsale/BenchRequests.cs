using System.Net.Http.Headers;
using System.Net.Http.Json;
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
            request.Content = JsonContent.Create(body, options: TicketMasterJson.Options);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http.SendAsync(request, cancellationToken);
    }
}
