using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketMaster.ServiceDefaults;

namespace TicketMaster.Tests.Infrastructure;

/// <summary>HTTP helpers speaking the API's snake_case JSON, with dev tokens from EventsApi.</summary>
public static class Api
{
    public static async Task<HttpClient> ClientAsync(this AppHostFixture fixture, string service, string? userId = null, params string[] roles)
    {
        var http = fixture.App.CreateHttpClient(service);
        if (userId is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.TokenAsync(userId, roles));
        }
        return http;
    }

    public static async Task<string> TokenAsync(this AppHostFixture fixture, string userId, params string[] roles)
    {
        using var http = fixture.App.CreateHttpClient("eventsapi");
        var response = await http.PostAsJsonAsync("/v1/dev/tokens", new { user_id = userId, roles }, TicketMasterJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.ReadJsonAsync()).GetProperty("access_token").GetString()!;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, object body) =>
        http.PostAsJsonAsync(path, body, TicketMasterJson.Options);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient http, string path, object body) =>
        http.PutAsJsonAsync(path, body, TicketMasterJson.Options);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient http, string path, object body) =>
        http.PatchAsJsonAsync(path, body, TicketMasterJson.Options);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    /// <summary>Asserts an RFC 9457 problem with this status and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(status, document.RootElement.GetProperty("status").GetInt32());
        return document.RootElement.Clone();
    }

    public static long Id(this JsonElement element, string property) => element.GetProperty(property).GetInt64();
}
