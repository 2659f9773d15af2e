using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TicketMaster.ServiceDefaults.Http;

/// <summary>
/// A JSON 200 with a strong ETag over its bytes and a Cache-Control for CDNs; answers a matching
/// If-None-Match with 304 and no body (DESIGN §5).
/// </summary>
public sealed class CacheableJson(object body, string cacheControl) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), TicketMasterJson.Options);
        var etag = $"\"{Convert.ToBase64String(SHA256.HashData(bytes), 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"";

        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = cacheControl;

        if (IfNoneMatchMatches(context.Request, etag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static bool IfNoneMatchMatches(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0)
        {
            return false;
        }
        return EntityTagHeaderValue.TryParseList(header, out var tags)
            && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(new EntityTagHeaderValue(etag), useStrongComparison: false));
    }
}
