using System.Diagnostics;
using System.Text.Json;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.EventsApi.Search;

public static class SearchWait
{
    /// <summary>Polls the search until it reports <paramref name="total"/> hits; fails after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement> UntilTotalAsync(HttpClient http, string query, long total, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        JsonElement last = default;
        while (clock.Elapsed < limit)
        {
            last = await http.GetJsonAsync($"/v1/events/search?{query}");
            if (last.GetProperty("total").GetInt64() == total)
            {
                return last;
            }
            await Task.Delay(20);
        }
        Assert.Fail($"search '{query}' did not reach {total} hits within {limit}; last: {last}");
        return last;
    }

    public static List<long> EventIds(this JsonElement result) =>
        result.GetProperty("items").EnumerateArray().Select(i => i.Id("event_id")).ToList();
}
