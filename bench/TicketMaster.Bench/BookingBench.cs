using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.IdentityModel.Tokens;
using MySqlConnector;
using TicketMaster.Onsale;
using TicketMaster.Data;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.Bench;

// Issue "booking": reserve throughput on one hot event against BookingApi's hello-world endpoint, and confirmed
// bookings/s against a raw MySQL loop doing the same conditional UPDATE + INSERT transaction, same run, same
// concurrency — once with queued (batched) booking writes and once with direct ones, each with its own baselines.
public static class BookingBench
{
    private const int Rounds = 3;
    // Long enough for tiered compilation to settle (dotnet-counters: the JIT recompiled the reserve path for ~8 s
    // at up to half a core, and the confirm path, which runs through far more code, for ~6-8 s).
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ReserveWarmUp = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan ConfirmWarmUp = TimeSpan.FromSeconds(12);

    public static async Task RunAsync(TimeSpan duration, int concurrency, string? onlyPath = null)
    {
        var lines = new List<string>();
        foreach (var path in onlyPath is null ? ["Queued", "Direct"] : new[] { onlyPath })
        {
            Console.WriteLine($"--- write path: {path}");
            lines.Add($"--- write path: {path}");
            lines.AddRange(await RunOnceAsync(path, duration, concurrency));
        }
        Console.WriteLine();
        lines.ForEach(Console.WriteLine);
    }

    private static async Task<List<string>> RunOnceAsync(string writePath, TimeSpan duration, int concurrency)
    {
        await using var host = await BenchHost.StartAsync($"--TicketMaster:Booking:WritePath={writePath}");
        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(BenchHost.SigningKey)));
        using var organizer = host.Client("eventsapi", tokens.Issue("bench-organizer", [Roles.Organizer], TimeSpan.FromHours(1)));

        // 200,000 seats, the most a venue may have: every reserve takes a fresh one, over the warm-up and all rounds
        // (about 190,000 of them at 8,500 reserves/s; a faster machine that runs out is told so below).
        var venue = await CreateVenueAsync(organizer, "Bench Arena", sections: 50, rowsPerSection: 10, seatsPerRow: 400);
        var hot = await CreateEventAsync(organizer, venue, "Hot show");
        var raw = await CreateEventAsync(organizer, venue, "Raw baseline show");
        using var anonymous = host.Client("bookingapi");
        await ListOnSaleAsync(anonymous, raw);
        var seats = new ConcurrentQueue<long>((await anonymous.GetFromJsonAsync<JsonElement>($"/v1/booking/events/{hot}/seats"))
            .GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("seat_id").GetInt64()));
        Console.WriteLine($"hot event {hot}: {seats.Count:N0} seats");

        using var http = host.Client("bookingapi");
        await Measure.ThroughputAsync(http, "/bench/hello", concurrency, TimeSpan.FromSeconds(3));

        // Every reserve asks for a fresh seat as a fresh fan: the Lua script's work, not conflicts, is measured.
        var reservations = new ConcurrentQueue<(string Token, string ReservationId)>();
        // Fans' tokens are minted before the clock starts: signing JWTs is the client's cost, not the API's.
        var fanTokens = new ConcurrentQueue<string>(Enumerable.Range(1, seats.Count)
            .Select(i => tokens.Issue($"bench-fan-{i}", [], TimeSpan.FromHours(1), $"bench-fan-{i}@fans.test")));
        async Task<bool> ReserveOne()
        {
            if (!seats.TryDequeue(out var seat) || !fanTokens.TryDequeue(out var token))
            {
                return false;
            }
            // The load generator shares the two cores with the services, so it does as little as it can per request:
            // the body is written, not serialized, and the reservation id is cut out of the answer, not parsed.
            using var response = await http.SendJsonAsync(HttpMethod.Post, "/v1/booking/reserve",
                Encoding.UTF8.GetBytes($"{{\"event_id\":{hot},\"seat_ids\":[{seat}]}}"), token);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return false;
            }
            reservations.Enqueue((token, ReservationIdOf(await response.Content.ReadAsByteArrayAsync())));
            return true;
        }

        // Warm-ups run each path under load before it is measured: the first reserve and confirm of an event load its
        // seats, sold set and details into the caches, and tiered compilation recompiles hot methods in the first
        // seconds (the JIT took a quarter of BookingApi's CPU in a profile of an unwarmed confirm phase).
        await LoadAsync(concurrency, ReserveWarmUp, ReserveOne);
        // Where a reserve's cost goes: the same endpoint behind JWT validation (after the warm-up, which ran that code).
        using var authenticated = host.Client("bookingapi", tokens.Issue("bench-hello", [], TimeSpan.FromHours(1)));
        var helloAuth = await Measure.ThroughputAsync(authenticated, "/bench/hello-auth", concurrency, duration);

        // Hello-world and reserve take turns, so a burst of noise from whatever else shares the machine lands on
        // both; the ratio is of their medians.
        var helloCpu = new ProcessCpu.Tally();
        var reserveCpu = new ProcessCpu.Tally();
        var hellos = new List<Measure.Throughput>();
        var reserves = new List<Load>();
        for (var round = 0; round < Rounds; round++)
        {
            hellos.Add(await helloCpu.MeasureAsync(() => Measure.ThroughputAsync(http, "/bench/hello", concurrency, duration), h => h.Requests));
            reserves.Add(await reserveCpu.MeasureAsync(() => LoadAsync(concurrency, duration, ReserveOne), r => r.Ok));
        }
        if (seats.IsEmpty)
        {
            Console.WriteLine("warning: the reserve rounds ran out of fresh seats; the last round ended early (make the venue bigger)");
        }
        var hello = hellos.OrderBy(h => h.RequestsPerSecond).ElementAt(Rounds / 2);
        var reserve = reserves.OrderBy(r => r.PerSecond).ElementAt(Rounds / 2);

        // The crowd before an opening: fans polling their place in a waiting room (anonymous, by queue id). The
        // capacity model in docs/OPERATIONS.md costs the opening's largest load with this figure.
        var room = await CreateEventAsync(organizer, venue, "Waiting-room show", waitingRoom: true);
        var queueIds = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(1, 2_000), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            using var joined = await http.SendJsonAsync(HttpMethod.Post, $"/v1/booking/events/{room}/queue", new { },
                tokens.Issue($"bench-waiting-fan-{i}", [], TimeSpan.FromHours(1)));
            joined.EnsureSuccessStatusCode();
            queueIds.Add((await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queue_id").GetString()!);
        });
        var places = queueIds.ToArray();
        var polled = 0L;
        async Task<bool> PollOne()
        {
            var queueId = places[Interlocked.Increment(ref polled) % places.Length];
            using var response = await http.GetAsync($"/v1/booking/events/{room}/queue/{queueId}");
            return response.IsSuccessStatusCode;
        }
        await LoadAsync(concurrency, WarmUp, PollOne);
        var pollCpu = new ProcessCpu.Tally();
        var poll = await pollCpu.MeasureAsync(() => LoadAsync(concurrency, duration, PollOne), p => p.Ok);

        var reported = 0;
        async Task<bool> ConfirmOne()
        {
            if (!reservations.TryDequeue(out var next))
            {
                return false;
            }
            using var response = await ConfirmAsync(http, next.ReservationId, next.Token);
            if (response.StatusCode != HttpStatusCode.Created && Interlocked.Increment(ref reported) <= 3)
            {
                Console.WriteLine($"confirm failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            return response.StatusCode == HttpStatusCode.Created;
        }
        await LoadAsync(concurrency, ConfirmWarmUp, ConfirmOne);
        var confirmCpu = new ProcessCpu.Tally();
        var confirm = await confirmCpu.MeasureAsync(() => LoadAsync(concurrency, duration, ConfirmOne), c => c.Ok);

        var mysql = await host.App.GetConnectionStringAsync("booking") ?? "";
        await RawMySqlAsync(mysql, raw, concurrency, WarmUp);
        var rawCpu = new ProcessCpu.Tally();
        var rawLoop = await rawCpu.MeasureAsync(() => RawMySqlAsync(mysql, raw, concurrency, duration), r => r.Ok);

        List<string> lines =
        [
            $"hello-world (BookingApi):  {hello.RequestsPerSecond,8:F0} req/s  p50 {Measure.Ms(hello.P50Ms)}  p99 {Measure.Ms(hello.P99Ms)}  (median of {string.Join(", ", hellos.Select(h => h.RequestsPerSecond.ToString("F0")))})",
            $"hello-world with a JWT:    {helloAuth.RequestsPerSecond,8:F0} req/s  p50 {Measure.Ms(helloAuth.P50Ms)}  p99 {Measure.Ms(helloAuth.P99Ms)}  ({helloAuth.RequestsPerSecond / hello.RequestsPerSecond:F2}x hello-world)",
            $"reserve (1 hot event):     {reserve.PerSecond,8:F0} req/s  p50 {Measure.Ms(reserve.P50)}  p95 {Measure.Ms(reserve.P95)}  p99 {Measure.Ms(reserve.P99)}  (median of {string.Join(", ", reserves.Select(r => r.PerSecond.ToString("F0")))})",
            $"reserve / hello-world:     {reserve.PerSecond / hello.RequestsPerSecond:F2}x  (target >= 0.5x; rounds {string.Join(", ", reserves.Zip(hellos, (r, h) => $"{r.PerSecond / h.RequestsPerSecond:F2}x"))})",
            $"waiting-room poll:         {poll.PerSecond,8:F0} req/s  p50 {Measure.Ms(poll.P50)}  p99 {Measure.Ms(poll.P99)}  ({poll.PerSecond / hello.RequestsPerSecond:F2}x hello-world, {places.Length:N0} fans waiting)",
            $"confirm (simulated card):  {confirm.PerSecond,8:F0} bookings/s  p50 {Measure.Ms(confirm.P50)}  p95 {Measure.Ms(confirm.P95)}  p99 {Measure.Ms(confirm.P99)}  ok {confirm.Ok} failed {confirm.Failed}",
            $"raw MySQL transactions:    {rawLoop.PerSecond,8:F0} bookings/s  p50 {Measure.Ms(rawLoop.P50)}  p95 {Measure.Ms(rawLoop.P95)}  p99 {Measure.Ms(rawLoop.P99)}",
            $"confirm / raw MySQL:       {confirm.PerSecond / rawLoop.PerSecond:F2}x  (target >= 0.5x)",
            $"cpu per hello-world:       {helloCpu}",
            $"cpu per reserve:           {reserveCpu}",
            $"cpu per waiting-room poll: {pollCpu}",
            $"cpu per confirm:           {confirmCpu}",
            $"cpu per raw transaction:   {rawCpu}",
        ];
        lines.ForEach(Console.WriteLine);
        return lines;
    }

    private static string ReservationIdOf(byte[] reservation)
    {
        ReadOnlySpan<byte> field = "\"reservation_id\":\""u8;
        var value = reservation.AsSpan(reservation.AsSpan().IndexOf(field) + field.Length);
        return Encoding.UTF8.GetString(value[..value.IndexOf((byte)'"')]);
    }

    private static Task<HttpResponseMessage> ConfirmAsync(HttpClient http, string reservationId, string token) =>
        http.SendJsonAsync(HttpMethod.Post, "/v1/booking/confirm", new { reservation_id = reservationId, payment_info = new { method = "pm_card_visa" } }, token);

    /// <summary>The raw-database baseline on its own event (for benchmarks that do not create one).</summary>
    public static async Task<Load> RawBaselineAsync(BenchHost host, int concurrency, TimeSpan duration)
    {
        var tokens = new TokenSettings(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(BenchHost.SigningKey)));
        using var organizer = host.Client("eventsapi", tokens.Issue("bench-raw-organizer", [Roles.Organizer], TimeSpan.FromHours(1)));
        var venue = await CreateVenueAsync(organizer, "Raw Baseline Hall", sections: 10, rowsPerSection: 10, seatsPerRow: 200);
        var eventId = await CreateEventAsync(organizer, venue, "Raw baseline");
        using (var anonymous = host.Client("bookingapi"))
        {
            await ListOnSaleAsync(anonymous, eventId);
        }
        return await RawMySqlAsync(await host.App.GetConnectionStringAsync("booking") ?? "", eventId, concurrency, duration);
    }

    public sealed record Load(double PerSecond, long Ok, long Failed, double P50, double P95, double P99);

    /// <summary>Runs <paramref name="operation"/> in closed loops until the time is up or it reports there is nothing left.</summary>
    private static async Task<Load> LoadAsync(int concurrency, TimeSpan duration, Func<Task<bool>> operation)
    {
        var ok = new ConcurrentBag<double>();
        var failed = 0L;
        var clock = Stopwatch.StartNew();
        var exhausted = false;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration && !exhausted)
            {
                var started = Stopwatch.GetTimestamp();
                if (await operation())
                {
                    ok.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    exhausted = failed > 10_000;
                }
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var sorted = ok.Order().ToList();
        return new Load(sorted.Count / elapsed, sorted.Count, failed, Measure.Percentile(sorted, 0.5), Measure.Percentile(sorted, 0.95), Measure.Percentile(sorted, 0.99));
    }

    // The database work of a confirm and nothing else: conditional UPDATE, booking and ticket INSERTs, commit.
    private static async Task<Load> RawMySqlAsync(string connectionString, long eventId, int concurrency, TimeSpan duration)
    {
        await using var dataSource = new MySqlDataSource(connectionString);
        var seats = new ConcurrentQueue<long>();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var command = new MySqlCommand($"SELECT seat_id FROM event_seat WHERE event_id = {eventId} AND status = 'available'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                seats.Enqueue(reader.GetInt64(0));
            }
        }
        return await LoadAsync(concurrency, duration, async () =>
        {
            if (!seats.TryDequeue(out var seat))
            {
                return false;
            }
            var bookingId = Ids.New();
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var claim = new MySqlCommand(
                $"UPDATE event_seat SET status = 'sold', booking_id = {bookingId} WHERE event_id = {eventId} AND seat_id IN ({seat}) AND status = 'available'",
                connection, transaction);
            if (await claim.ExecuteNonQueryAsync() != 1)
            {
                await transaction.RollbackAsync();
                return false;
            }
            await using var insert = new MySqlCommand($"""
                INSERT INTO booking (booking_id, confirmation_number, reservation_id, user_id, event_id, total_cents, payment_ref)
                VALUES ({bookingId}, '{bookingId % 10_000_000_000:D10}', 'raw_{bookingId}', 'raw', {eventId}, 2500, 'raw');
                INSERT INTO ticket (ticket_id, booking_id, event_id, seat_id, price_cents) VALUES ({Ids.New()}, {bookingId}, {eventId}, {seat}, 2500);
                """, connection, transaction);
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            return true;
        });
    }

    public static async Task<JsonElement> CreateVenueAsync(HttpClient organizer, string name, int sections, int rowsPerSection, int seatsPerRow)
    {
        var response = await organizer.PostAsJsonAsync("/v1/venues", new
        {
            name, city = "London", address = "1 Bench Way",
            sections = Enumerable.Range(1, sections).Select(s => new
            {
                name = $"S{s}", rows = Enumerable.Range(1, rowsPerSection).Select(r => new { label = $"R{r}", seats = seatsPerRow }),
            }),
        }, TicketMasterJson.Options);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(TicketMasterJson.Options);
    }

    /// <summary>
    /// The raw baseline writes the sale's seat rows directly: they exist once the sale has listed the event, which its
    /// first seat map does.
    /// </summary>
    private static async Task ListOnSaleAsync(HttpClient bookingApi, long eventId)
    {
        using var response = await bookingApi.GetAsync($"/v1/booking/events/{eventId}/seats");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>An event on sale since a minute ago, every section at 25.00.</summary>
    /// <param name="onSaleNow">A waiting-room event opens in a day unless this is set.</param>
    public static async Task<long> CreateEventAsync(HttpClient organizer, JsonElement venue, string name, bool waitingRoom = false, bool onSaleNow = false)
    {
        var startsAt = DateTimeOffset.UtcNow.AddDays(30);
        var response = await organizer.PostAsJsonAsync("/v1/events", new
        {
            event_name = name, venue_id = venue.GetProperty("venue_id").GetInt64(), starts_at = startsAt, ends_at = startsAt.AddHours(3),
            on_sale_at = waitingRoom && !onSaleNow ? DateTimeOffset.UtcNow.AddDays(1) : DateTimeOffset.UtcNow.AddMinutes(-1), max_tickets_per_user = 8,
            waiting_room = waitingRoom,
            prices = venue.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("section_id").GetInt64().ToString(), _ => 2500L),
        }, TicketMasterJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("event_id").GetInt64();
    }
}
