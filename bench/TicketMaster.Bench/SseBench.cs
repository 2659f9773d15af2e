using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using TicketMaster.Onsale;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.Bench;

// ./bench.sh sse --clients N: what N idle seat-stream clients cost BookingApi (working set and managed heap after a
// full GC, before and after they connect), and how long one seat change takes to reach all of them.
public static class SseBench
{
    public static async Task RunAsync(int clients)
    {
        await using var host = await BenchHost.StartAsync();
        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(BenchHost.SigningKey)));
        using var organizer = host.Client("eventsapi", tokens.Issue("sse-organizer", [Roles.Organizer], TimeSpan.FromHours(1)));
        var venue = await BookingBench.CreateVenueAsync(organizer, "SSE Hall", sections: 1, rowsPerSection: 1, seatsPerRow: 100);
        var eventId = await BookingBench.CreateEventAsync(organizer, venue, "SSE show");
        using var booking = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = host.Client("bookingapi").BaseAddress, Timeout = Timeout.InfiniteTimeSpan,
        };
        var seat = (await booking.GetFromJsonAsync<JsonElement>($"/v1/booking/events/{eventId}/seats")).GetProperty("seats")[0].GetProperty("seat_id").GetInt64();

        var before = await booking.GetFromJsonAsync<JsonElement>("/bench/memory");
        var streams = new List<SseReader>(clients);
        var clock = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, clients).Chunk(200))
        {
            streams.AddRange(await Task.WhenAll(chunk.Select(async _ =>
            {
                var stream = await SseReader.OpenAsync(booking, $"/v1/booking/events/{eventId}/seats/stream");
                await stream.NextEventAsync(TimeSpan.FromSeconds(60)); // the snapshot
                return stream;
            })));
        }
        Console.WriteLine($"{clients:N0} seat streams open in {clock.Elapsed.TotalSeconds:F1} s");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await booking.GetFromJsonAsync<JsonElement>("/bench/memory");

        // One change, fanned out to every client.
        var waiting = streams.Select(async s =>
        {
            var started = Stopwatch.GetTimestamp();
            await s.NextEventAsync(TimeSpan.FromSeconds(60));
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }).ToList();
        (await booking.SendJsonAsync(HttpMethod.Post, "/v1/booking/reserve", new { event_id = eventId, seat_ids = new[] { seat } },
            tokens.Issue("sse-fan", [], TimeSpan.FromHours(1)))).EnsureSuccessStatusCode();
        var delivered = (await Task.WhenAll(waiting)).Order().ToList();

        long Bytes(JsonElement e, string name) => e.GetProperty(name).GetInt64();
        var workingSet = Bytes(after, "working_set_bytes") - Bytes(before, "working_set_bytes");
        var managed = Bytes(after, "managed_heap_bytes") - Bytes(before, "managed_heap_bytes");
        Console.WriteLine();
        Console.WriteLine($"idle seat-stream clients:       {after.GetProperty("seat_stream_clients").GetInt32():N0} (BookingApi's count)");
        Console.WriteLine($"BookingApi working set:         {Bytes(before, "working_set_bytes") / 1048576.0:F0} MB -> {Bytes(after, "working_set_bytes") / 1048576.0:F0} MB = {workingSet / (double)clients / 1024:F1} KB per client");
        Console.WriteLine($"BookingApi managed heap:        {Bytes(before, "managed_heap_bytes") / 1048576.0:F0} MB -> {Bytes(after, "managed_heap_bytes") / 1048576.0:F0} MB = {managed / (double)clients / 1024:F1} KB per client");
        Console.WriteLine($"one change to every client:     p50 {Measure.Percentile(delivered, 0.5):F0} ms  p99 {Measure.Percentile(delivered, 0.99):F0} ms  max {delivered[^1]:F0} ms");
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
    }
}
