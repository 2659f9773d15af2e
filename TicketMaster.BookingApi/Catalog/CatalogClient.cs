using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using TicketMaster.Messaging;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.BookingApi.Catalog;

/// <summary>EventsApi could not be asked (down, or answering with an error): the sale answers 503 for what it needed.</summary>
public sealed class CatalogUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

// The catalog as its owner serves it: the sale reads an event's listing from EventsApi's API (as the booking-service
// role, in a token it signs itself), never from the catalog's tables.
public sealed class CatalogClient(HttpClient http, TokenSettings tokens)
{
    public const string SubjectId = "bookingapi";

    /// <summary>The event's terms and priced seats; null when the catalog has no such event.</summary>
    public Task<EventSaleListing?> GetListingAsync(long eventId, CancellationToken cancellationToken) =>
        GetAsync($"/v1/admin/catalog/events/{eventId}/sale", eventId, cancellationToken);

    /// <summary>The event's terms alone (its seats left out); null when the catalog has no such event.</summary>
    public async Task<EventSaleChanged?> GetTermsAsync(long eventId, CancellationToken cancellationToken) =>
        (await GetAsync($"/v1/admin/catalog/events/{eventId}/sale?seats=false", eventId, cancellationToken))?.Terms;

    private async Task<EventSaleListing?> GetAsync(string path, long eventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            tokens.Issue(SubjectId, [Roles.BookingService], TimeSpan.FromMinutes(5)));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new CatalogUnavailableException($"EventsApi answered {(int)response.StatusCode} for the listing of event {eventId}.");
            }
            return await response.Content.ReadFromJsonAsync<EventSaleListing>(MessageJson.Options, cancellationToken)
                ?? throw new CatalogUnavailableException($"EventsApi answered an empty listing for event {eventId}.");
        }
        catch (HttpRequestException ex)
        {
            throw new CatalogUnavailableException($"EventsApi could not be reached for the listing of event {eventId}.", ex);
        }
    }
}
