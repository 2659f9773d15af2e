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

// ./bench.sh sse --clients N [--stream seats|queue] [--path transport|pipeline] [--hold S]: what N idle stream clients
// cost BookingApi (working set and managed heap after a full GC, before and after they connect), and how long one
// change takes to reach all of them: a seat held (seat streams), or the waiting room letting everyone in (queue
// streams: each gets its pass). A stream is the first request of its connection, served on the transport; with
// --path pipeline each connection first asks for /alive, so its stream goes through the request pipeline instead.
// --hold keeps the clients connected S seconds after measuring, to look at the process meanwhile (dotnet-gcdump).
public static class SseBench
{
    public static async Task RunAsync(int clients, string stream, bool throughPipeline, int holdSeconds)
    {
        await using var host = await BenchHost.StartAsync("--TicketMaster:BenchDirectEndpoints=true");
        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(BenchHost.SigningKey)));
        var organizerToken = tokens.Issue("sse-organizer", [Roles.Organizer], TimeSpan.FromHours(1));
        using var organizer = host.Client("eventsapi", organizerToken);
        var queue = stream == "queue";
        // A seat for every queue client: admission never lets in more fans than there are seats to buy.
        var venue = await BookingBench.CreateVenueAsync(organizer, "SSE Hall", sections: 1, rowsPerSection: queue ? (clients + 99) / 100 : 1, seatsPerRow: 100);
        var eventId = await BookingBench.CreateEventAsync(organizer, venue, "SSE show", waitingRoom: queue, onSaleNow: true);
        using var booking = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = host.Client("bookingapi").BaseAddress, Timeout = Timeout.InfiniteTimeSpan,
        };
        var seat = (await booking.GetFromJsonAsync<JsonElement>($"/v1/booking/events/{eventId}/seats")).GetProperty("seats")[0].GetProperty("seat_id").GetInt64();

        // Queue streams: every client a fan with a place, none let in until the change (a rate of one per 1,000 s).
        var paths = new List<string>(clients);
        if (queue)
        {
            await SetAdmissionAsync(booking, eventId, 0.001, organizerToken);
            foreach (var chunk in Enumerable.Range(0, clients).Chunk(200))
            {
                paths.AddRange(await Task.WhenAll(chunk.Select(async i =>
                {
                    var joined = await booking.SendJsonAsync(HttpMethod.Post, $"/v1/booking/events/{eventId}/queue", new { },
                        tokens.Issue($"sse-fan-{i}", [], TimeSpan.FromHours(1)));
                    joined.EnsureSuccessStatusCode();
                    var queueId = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queue_id").GetString();
                    return $"/v1/booking/events/{eventId}/queue/{queueId}/stream";
                })));
            }
        }
        else
        {
            paths.AddRange(Enumerable.Repeat($"/v1/booking/events/{eventId}/seats/stream", clients));
        }

        var before = await booking.GetFromJsonAsync<JsonElement>("/bench/memory");
        var streams = new List<SseReader>(clients);
        var clock = Stopwatch.StartNew();
        foreach (var chunk in paths.Chunk(200))
        {
            streams.AddRange(await Task.WhenAll(chunk.Select(async path =>
            {
                var client = booking;
                if (throughPipeline)
                {
                    client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = booking.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
                    (await client.GetAsync("/alive")).EnsureSuccessStatusCode();
                }
                var opened = await SseReader.OpenAsync(client, path);
                await opened.NextEventAsync(TimeSpan.FromSeconds(60)); // the snapshot, or the place
                return opened;
            })));
        }
        Console.WriteLine($"{clients:N0} {stream} streams open ({(throughPipeline ? "through the request pipeline" : "on the transport")}) in {clock.Elapsed.TotalSeconds:F1} s");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await booking.GetFromJsonAsync<JsonElement>("/bench/memory");
        if (holdSeconds > 0)
        {
            Console.WriteLine($"holding them {holdSeconds} s (BookingApi's process: the one serving {booking.BaseAddress})");
            await Task.Delay(TimeSpan.FromSeconds(holdSeconds));
        }

        // One change, fanned out to every client.
        var waiting = streams.Select(async s =>
        {
            var started = Stopwatch.GetTimestamp();
            while ((await s.NextEventAsync(TimeSpan.FromSeconds(60))).Type is "position" && queue)
            {
                // a queue stream's own position events before the change are not it
            }
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }).ToList();
        if (queue)
        {
            await SetAdmissionAsync(booking, eventId, 100_000, organizerToken); // the highest rate: everyone in at the next admission tick
        }
        else
        {
            (await booking.SendJsonAsync(HttpMethod.Post, "/v1/booking/reserve", new { event_id = eventId, seat_ids = new[] { seat } },
                tokens.Issue("sse-fan", [], TimeSpan.FromHours(1)))).EnsureSuccessStatusCode();
        }
        var delivered = (await Task.WhenAll(waiting)).Order().ToList();

        long Bytes(JsonElement e, string name) => e.GetProperty(name).GetInt64();
        var workingSet = Bytes(after, "working_set_bytes") - Bytes(before, "working_set_bytes");
        var managed = Bytes(after, "managed_heap_bytes") - Bytes(before, "managed_heap_bytes");
        Console.WriteLine();
        Console.WriteLine($"idle {stream}-stream clients:      {(queue ? clients : after.GetProperty("seat_stream_clients").GetInt32()):N0}{(queue ? "" : " (BookingApi's count)")}");
        Console.WriteLine($"BookingApi working set:         {Bytes(before, "working_set_bytes") / 1048576.0:F0} MB -> {Bytes(after, "working_set_bytes") / 1048576.0:F0} MB = {workingSet / (double)clients / 1024:F1} KB per client");
        Console.WriteLine($"BookingApi managed heap:        {Bytes(before, "managed_heap_bytes") / 1048576.0:F0} MB -> {Bytes(after, "managed_heap_bytes") / 1048576.0:F0} MB = {managed / (double)clients / 1024:F1} KB per client");
        Console.WriteLine($"one change to every client:     p50 {Measure.Percentile(delivered, 0.5):F0} ms  p99 {Measure.Percentile(delivered, 0.99):F0} ms  max {delivered[^1]:F0} ms");
        foreach (var opened in streams)
        {
            await opened.DisposeAsync();
        }
    }

    private static async Task SetAdmissionAsync(HttpClient booking, long eventId, double perSecond, string organizerToken) =>
        (await booking.SendJsonAsync(HttpMethod.Put, $"/v1/booking/events/{eventId}/queue/admission", new { admissions_per_second = perSecond },
            organizerToken)).EnsureSuccessStatusCode();
}
