using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketMaster.ServiceDefaults;
using TicketMaster.Web.Account;

namespace TicketMaster.Web.Api;

public static class ApiClientsExtensions
{
    // Aspire's service discovery resolves these names (services__eventsapi__http__0 and friends).
    public const string EventsApi = "http://eventsapi";
    public const string BookingApi = "http://bookingapi";

    public static void AddApiClients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<CallerHandler>();
        builder.Services.AddHttpClient<CatalogClient>(client => client.BaseAddress = new Uri(EventsApi)).AddHttpMessageHandler<CallerHandler>();
        builder.Services.AddHttpClient<BookingClient>(client => client.BaseAddress = new Uri(BookingApi)).AddHttpMessageHandler<CallerHandler>();
    }
}

// A page's call to an API goes as the person signed in (their token) and from their address (the APIs' per-address
// limits count fans, not this host).
public sealed class CallerHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext is { } context)
        {
            if (request.Headers.Authorization is null && await context.AccessTokenAsync() is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            if (context.Connection.RemoteIpAddress is { } address)
            {
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", address.ToString());
            }
        }
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>What every API client does with an answer: the value, or the problem the API described.</summary>
public abstract class ApiClient(HttpClient http)
{
    protected HttpClient Http => http;

    protected Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    protected Task<ApiResult<T>> SendJsonAsync<T>(HttpMethod method, string path, object body, CancellationToken cancellationToken,
        string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: TicketMasterJson.Options) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return SendAsync<T>(request, cancellationToken);
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException)
            {
                return new ApiResult<T>(default, new Problem(503, "Service unavailable", "The service did not answer; try again in a moment."), 503);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var value = response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(object)
                        ? default
                        : await response.Content.ReadFromJsonAsync<T>(TicketMasterJson.Options, cancellationToken);
                    return new ApiResult<T>(value, null, status);
                }
                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? await ReadProblemAsync(response, cancellationToken)
                    : null;
                return new ApiResult<T>(default, problem ?? new Problem(status, response.ReasonPhrase, null), status);
            }
        }
    }

    private static async Task<Problem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var detail = json.TryGetProperty("detail", out var d) ? d.GetString() : null;
            // A validation problem names its fields: say which, in the person's words.
            if (json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                detail = string.Join(" ", errors.EnumerateObject().SelectMany(field =>
                    field.Value.EnumerateArray().Select(message => $"{field.Name.Replace('_', ' ')}: {message.GetString()}.")));
            }
            return new Problem((int)response.StatusCode, json.TryGetProperty("title", out var t) ? t.GetString() : null, detail);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed class CatalogClient(HttpClient http) : ApiClient(http)
{
    public Task<ApiResult<SearchResult>> SearchAsync(string query, CancellationToken cancellationToken) =>
        GetAsync<SearchResult>($"/v1/events/search?{query}", cancellationToken);

    public Task<ApiResult<EventDetails>> EventAsync(long eventId, CancellationToken cancellationToken) =>
        GetAsync<EventDetails>($"/v1/events/{eventId}", cancellationToken);

    public Task<ApiResult<List<VenueInfo>>> MyVenuesAsync(CancellationToken cancellationToken) =>
        GetAsync<List<VenueInfo>>("/v1/venues", cancellationToken);

    public Task<ApiResult<List<EventDetails>>> MyEventsAsync(CancellationToken cancellationToken) =>
        GetAsync<List<EventDetails>>("/v1/events/mine", cancellationToken);

    public Task<ApiResult<VenueInfo>> CreateVenueAsync(object request, CancellationToken cancellationToken) =>
        SendJsonAsync<VenueInfo>(HttpMethod.Post, "/v1/venues", request, cancellationToken);

    public Task<ApiResult<PerformerSummary>> CreatePerformerAsync(string name, CancellationToken cancellationToken) =>
        SendJsonAsync<PerformerSummary>(HttpMethod.Post, "/v1/performers", new { name }, cancellationToken);

    public Task<ApiResult<EventDetails>> CreateEventAsync(object request, CancellationToken cancellationToken) =>
        SendJsonAsync<EventDetails>(HttpMethod.Post, "/v1/events", request, cancellationToken);

    public Task<ApiResult<EventDetails>> UpdateEventAsync(long eventId, object request, CancellationToken cancellationToken) =>
        SendJsonAsync<EventDetails>(HttpMethod.Patch, $"/v1/events/{eventId}", request, cancellationToken);

    public Task<ApiResult<StaffList>> StaffAsync(long eventId, CancellationToken cancellationToken) =>
        GetAsync<StaffList>($"/v1/events/{eventId}/staff", cancellationToken);

    public Task<ApiResult<StaffList>> SetStaffAsync(long eventId, IReadOnlyList<string> userIds, CancellationToken cancellationToken) =>
        SendJsonAsync<StaffList>(HttpMethod.Put, $"/v1/events/{eventId}/staff", new { user_ids = userIds }, cancellationToken);

    /// <summary>Development only: the token the local identity provider would issue.</summary>
    public Task<ApiResult<DevToken>> DevTokenAsync(string userId, string? email, IReadOnlyList<string> roles, CancellationToken cancellationToken) =>
        SendJsonAsync<DevToken>(HttpMethod.Post, "/v1/dev/tokens", new { user_id = userId, email, roles }, cancellationToken);
}

public sealed record StaffList(long EventId, IReadOnlyList<string> UserIds);

public sealed record CheckedIn(long TicketId, long EventId, TicketSeat Seat, DateTimeOffset CheckedInAt);

public sealed record DevToken(string AccessToken, string TokenType, int ExpiresIn);

public sealed class BookingClient(HttpClient http) : ApiClient(http)
{
    public Task<ApiResult<ReservationInfo>> ReservationAsync(string reservationId, CancellationToken cancellationToken) =>
        GetAsync<ReservationInfo>($"/v1/booking/reservations/{Uri.EscapeDataString(reservationId)}", cancellationToken);

    public Task<ApiResult<object>> ReleaseAsync(string reservationId, CancellationToken cancellationToken) =>
        SendAsyncNoBody(HttpMethod.Delete, $"/v1/booking/reservations/{Uri.EscapeDataString(reservationId)}", cancellationToken);

    /// <summary>201 with the booking, or 202 with the confirmation's status while it is recorded.</summary>
    public Task<ApiResult<JsonElement>> ConfirmAsync(string reservationId, string paymentMethod, CancellationToken cancellationToken) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, "/v1/booking/confirm",
            new { reservation_id = reservationId, payment_info = new { method = paymentMethod } }, cancellationToken);

    public Task<ApiResult<ConfirmationStatus>> ConfirmationAsync(string reservationId, CancellationToken cancellationToken) =>
        GetAsync<ConfirmationStatus>($"/v1/booking/confirmations/{Uri.EscapeDataString(reservationId)}", cancellationToken);

    public Task<ApiResult<BookingInfo>> BookingAsync(long bookingId, CancellationToken cancellationToken) =>
        GetAsync<BookingInfo>($"/v1/booking/bookings/{bookingId}", cancellationToken);

    public Task<ApiResult<List<BookingInfo>>> BookingsAsync(CancellationToken cancellationToken) =>
        GetAsync<List<BookingInfo>>("/v1/booking/bookings", cancellationToken);

    public Task<ApiResult<JsonElement>> CancelAsync(long bookingId, CancellationToken cancellationToken) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, $"/v1/booking/bookings/{bookingId}/cancel", new { }, cancellationToken);

    public Task<ApiResult<JsonElement>> TransferAsync(long ticketId, string toUserId, CancellationToken cancellationToken) =>
        SendJsonAsync<JsonElement>(HttpMethod.Post, $"/v1/booking/tickets/{ticketId}/transfer", new { to_user_id = toUserId }, cancellationToken);

    public Task<ApiResult<CheckedIn>> CheckInAsync(string code, CancellationToken cancellationToken) =>
        SendJsonAsync<CheckedIn>(HttpMethod.Post, "/v1/booking/check-in", new { qr_code = code }, cancellationToken);

    public Task<ApiResult<JsonElement>> SalesAsync(long eventId, CancellationToken cancellationToken) =>
        GetAsync<JsonElement>($"/v1/booking/events/{eventId}/sales", cancellationToken);

    public Task<ApiResult<JsonElement>> AdmissionAsync(long eventId, CancellationToken cancellationToken) =>
        GetAsync<JsonElement>($"/v1/booking/events/{eventId}/queue/admission", cancellationToken);

    public Task<ApiResult<object>> SetAdmissionAsync(long eventId, double min, double max, CancellationToken cancellationToken) =>
        SendJsonAsync<object>(HttpMethod.Put, $"/v1/booking/events/{eventId}/queue/admission", new { min_per_second = min, max_per_second = max },
            cancellationToken);

    private Task<ApiResult<object>> SendAsyncNoBody(HttpMethod method, string path, CancellationToken cancellationToken) =>
        SendJsonAsync<object>(method, path, new { }, cancellationToken);
}
