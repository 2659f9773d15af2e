using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using TicketMaster.ServiceDefaults.Auth;
using TicketMaster.Tests.BookingApi;
using TicketMaster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TicketMaster.Tests.HostileInput;

// Every operation both running APIs describe (their OpenAPI documents, so an endpoint added later is covered without
// a change here) gets malformed requests: hostile path and query values, broken and foreign tokens, and, for each
// request body, wrong types, missing fields, nulls, overlong strings, huge and repeated arrays, deep nesting,
// invalid UTF-8, non-JSON, the wrong content type and an oversized body. None may answer 5xx, and every 4xx is an
// RFC 9457 problem. Bodies go with an admin's token, so they get past authorization to the validation behind it.
[Collection(AppHostCollection.Name)]
public sealed class HostileInputTests(AppHostFixture fixture, ITestOutputHelper output)
{
    // A NUL in the path is refused by Kestrel itself (a bare 400 before any application code runs), so it is not here.
    private static readonly string[] HostilePathValues =
        ["0", "-1", "9223372036854775808", "abc", new string('9', 400), "%01", "..%2F..%2Fetc%2Fpasswd", "r_1_%0d%0aSet-Cookie:x"];

    private static readonly string[] HostileQueryValues =
        ["", "-1", "0", "abc", "99999999999999999999", new string('q', 5000), "%00%0d%0a", "2000-13-45", "true,false"];

    [Fact]
    public async Task No_malformed_request_to_any_operation_is_answered_with_a_5xx()
    {
        var sale = await BookingSetup.CreateAsync(fixture, seats: 4);
        using var fan = sale.Fan("hostile-fan");
        var reservationId = await BookingSetup.ReservationIdAsync(fan, sale.EventId, sale.SeatIds[0]);
        var booking = await (await BookingSetup.ConfirmAsync(fan, reservationId)).ReadJsonAsync();
        var valid = new Dictionary<string, string>
        {
            ["eventId"] = sale.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["reservationId"] = reservationId,
            ["bookingId"] = booking.Id("booking_id").ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["queueId"] = $"q_{sale.EventId}_000000000000000000000000",
        };
        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(AppHostFixture.JwtSigningKey)));
        var admin = tokens.Issue("hostile-admin", Roles.Known, TimeSpan.FromMinutes(30));
        // Each body goes as another admin, so no per-user rate limit stops the requests before their validation.
        var caller = 0;
        string AnAdmin() => $"Bearer {tokens.Issue($"hostile-admin-{Interlocked.Increment(ref caller)}", Roles.Known, TimeSpan.FromMinutes(30))}";
        var foreign = new TokenSettings(new SymmetricSecurityKey(new byte[32])).Issue("hostile-admin", Roles.Known, TimeSpan.FromMinutes(30));
        var expired = tokens.Issue([new Claim("sub", "hostile-late"), new Claim("role", Roles.Admin)], TimeSpan.FromMinutes(-10));
        string?[] badAuthorizations = [null, "Bearer", "Bearer not.a.token", $"Bearer {foreign}", $"Bearer {expired}", "Basic YWRtaW46YWRtaW4=",
            $"Bearer {admin[..^4]}AAAA", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0."];

        var sent = 0;
        var failures = new List<string>();
        foreach (var service in new[] { "eventsapi", "bookingapi" })
        {
            using var http = fixture.App.CreateHttpClient(service);
            using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
            var root = document.RootElement;
            foreach (var path in root.GetProperty("paths").EnumerateObject())
            {
                foreach (var operation in path.Value.EnumerateObject())
                {
                    var method = new HttpMethod(operation.Name.ToUpperInvariant());
                    var parameters = Parameters(path.Value, operation.Value);
                    var validPath = Fill(path.Name, name => valid.GetValueOrDefault(name, "1"));
                    var schema = BodySchema(root, operation.Value);
                    var baseBody = schema is { } bodySchema ? Minimal(root, bodySchema) : null;

                    var requests = new List<Func<HttpRequestMessage>>();
                    foreach (var authorization in badAuthorizations)
                    {
                        requests.Add(() => Request(method, validPath, baseBody?.ToJsonString(), authorization));
                    }
                    foreach (var name in parameters.Where(p => p.In == "path").Select(p => p.Name))
                    {
                        foreach (var hostile in HostilePathValues)
                        {
                            var target = Fill(path.Name, n => n == name ? hostile : valid.GetValueOrDefault(n, "1"));
                            requests.Add(() => Request(method, target, baseBody?.ToJsonString(), AnAdmin()));
                        }
                    }
                    foreach (var name in parameters.Where(p => p.In == "query").Select(p => p.Name))
                    {
                        foreach (var hostile in HostileQueryValues)
                        {
                            var target = $"{validPath}?{name}={Uri.EscapeDataString(hostile)}";
                            requests.Add(() => Request(method, target, null, AnAdmin()));
                        }
                    }
                    if (schema is not null)
                    {
                        foreach (var body in HostileBodies(root, schema.Value, baseBody!))
                        {
                            requests.Add(() => Request(method, validPath, body, AnAdmin()));
                        }
                        foreach (var raw in RawBodies())
                        {
                            requests.Add(() => Request(method, validPath, raw.Content, AnAdmin()));
                        }
                    }

                    foreach (var build in requests)
                    {
                        using var request = build();
                        var described = $"{service} {request.Method} {request.RequestUri}";
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                        sent++;
                        var status = (int)response.StatusCode;
                        if (status >= 500)
                        {
                            failures.Add($"{described} → {status}: {await ReadSomeAsync(response)}");
                        }
                        else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        {
                            failures.Add($"{described} → {status} without problem details ({response.Content.Headers.ContentType})");
                        }
                    }
                }
            }
        }
        output.WriteLine($"{sent} hostile requests sent to both APIs");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests failed:\n{string.Join("\n", failures.Take(40))}");
        Assert.True(sent > 500, $"only {sent} requests: the operations were not found");
        await sale.AssertInvariantsAsync();
    }

    private sealed record Parameter(string Name, string In);

    private static List<Parameter> Parameters(JsonElement pathItem, JsonElement operation) =>
        new[] { pathItem, operation }
            .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("parameters", out _))
            .SelectMany(e => e.GetProperty("parameters").EnumerateArray())
            .Select(p => new Parameter(p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!))
            .DistinctBy(p => (p.Name, p.In))
            .ToList();

    private static string Fill(string template, Func<string, string> value)
    {
        var result = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{' && template.IndexOf('}', i) is var end and > 0)
            {
                result.Append(value(template[(i + 1)..end]));
                i = end;
            }
            else
            {
                result.Append(template[i]);
            }
        }
        return result.ToString();
    }

    private static JsonElement? BodySchema(JsonElement root, JsonElement operation) =>
        operation.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content)
        && content.EnumerateObject().FirstOrDefault(c => c.Name.Contains("json", StringComparison.Ordinal)) is { Value: var media }
        && media.ValueKind == JsonValueKind.Object && media.TryGetProperty("schema", out var schema)
            ? Resolve(root, schema)
            : null;

    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var node = root;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
            {
                node = node.GetProperty(part);
            }
            schema = node;
        }
        return schema;
    }

    /// <summary>The schema's first non-null type ("object", "string", …); OpenAPI 3.1 allows a list.</summary>
    private static string TypeOf(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? "object"
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t != "null") ?? "null"
        : type.GetString()!;

    private static IEnumerable<(string Name, JsonElement Schema)> Properties(JsonElement root, JsonElement schema) =>
        schema.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(p => (p.Name, Resolve(root, p.Value)))
            : [];

    // A body of the right shape with harmless values, the base each hostile variant changes one thing of. Numbers are
    // 0, so that no variant turns into a valid expensive request (a seed of the dev catalog, say).
    private static JsonNode Minimal(JsonElement root, JsonElement schema, int depth = 0) => TypeOf(schema) switch
    {
        "object" when depth < 4 => new JsonObject(Properties(root, schema).Select(p => KeyValuePair.Create(p.Name, (JsonNode?)Minimal(root, p.Schema, depth + 1)))),
        "object" => new JsonObject(),
        "array" => new JsonArray(),
        "integer" or "number" => JsonValue.Create(0),
        "boolean" => JsonValue.Create(false),
        _ => JsonValue.Create("x"),
    };

    private static IEnumerable<string> HostileBodies(JsonElement root, JsonElement schema, JsonNode baseBody)
    {
        yield return "{}";
        yield return "null";
        yield return "[]";
        yield return "\"a string\"";
        yield return "12345";
        foreach (var (name, property) in Properties(root, schema))
        {
            JsonNode?[] replacements =
            [
                null,
                TypeOf(property) is "string" ? JsonValue.Create(12345) : JsonValue.Create("not a " + TypeOf(property)),
                JsonValue.Create(new string('s', 100_000)),
                new JsonArray(Enumerable.Range(0, 20_000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
                new JsonArray(JsonValue.Create(1), JsonValue.Create(1)),
                new JsonArray(JsonValue.Create("dup"), JsonValue.Create("dup")),
                JsonValue.Create(-1),
                JsonValue.Create(long.MaxValue),
                new JsonObject { ["nested"] = new JsonObject { ["deeper"] = new JsonArray() } },
            ];
            foreach (var replacement in replacements)
            {
                var copy = baseBody.DeepClone();
                if (copy is JsonObject body)
                {
                    body[name] = replacement;
                    yield return body.ToJsonString();
                }
                var missing = baseBody.DeepClone();
                if (missing is JsonObject without)
                {
                    without.Remove(name);
                    yield return without.ToJsonString();
                }
            }
            // One level down as well (payment_info.method, the rows of a section…).
            foreach (var (inner, _) in TypeOf(property) == "object" ? Properties(root, property) : [])
            {
                foreach (var replacement in new JsonNode?[] { null, JsonValue.Create(new string('i', 100_000)), JsonValue.Create(12345), new JsonArray() })
                {
                    if (baseBody.DeepClone() is JsonObject body && body[name] is JsonObject nested)
                    {
                        nested[inner] = replacement;
                        yield return body.ToJsonString();
                    }
                }
            }
            // Numbers no .NET type holds.
            yield return ((JsonObject)baseBody.DeepClone()).ToJsonString().TrimEnd('}') + (((JsonObject)baseBody).Count > 0 ? "," : "") + $"\"{name}\":1e400}}";
            yield return ((JsonObject)baseBody.DeepClone()).ToJsonString().TrimEnd('}') + (((JsonObject)baseBody).Count > 0 ? "," : "") + $"\"{name}\":-92233720368547758080}}";
        }
    }

    private sealed record Raw(HttpContent Content);

    private static IEnumerable<Raw> RawBodies()
    {
        yield return new Raw(new StringContent("not json at all", Encoding.UTF8, "application/json"));
        yield return new Raw(new StringContent("{\"unterminated\": ", Encoding.UTF8, "application/json"));
        yield return new Raw(new StringContent(new string('[', 5000) + new string(']', 5000), Encoding.UTF8, "application/json"));
        yield return new Raw(new StringContent("{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3001), Encoding.UTF8, "application/json"));
        yield return new Raw(new ByteArrayContent([0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        yield return new Raw(new StringContent("{\"event_name\":\"x\"}", Encoding.UTF8, "text/plain"));
        yield return new Raw(new StringContent("<event><name>x</name></event>", Encoding.UTF8, "application/xml"));
        yield return new Raw(new StringContent("", Encoding.UTF8, "application/json"));
        yield return new Raw(new StringContent("{\"x\":\"" + new string('o', 2 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json"));
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, object? body, string? authorization)
    {
        // Expect: 100-continue lets the server refuse an oversized body by its length before the client sends it.
        var request = new HttpRequestMessage(method, path) { Headers = { ExpectContinue = true } };
        request.Content = body switch
        {
            string json => new StringContent(json, Encoding.UTF8, "application/json"),
            HttpContent content => content,
            _ => null,
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return request;
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length > 300 ? text[..300] : text;
    }
}
