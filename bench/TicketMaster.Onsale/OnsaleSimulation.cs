using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using MySqlConnector;
using TicketMaster.ServiceDefaults;
using TicketMaster.ServiceDefaults.Auth;

namespace TicketMaster.Onsale;

// A hot onsale: an event with a waiting room and N seats, M fans who queue, get passes, ask for the best N seats
// side by side (mode best) or reserve random free seats from the live board (mode pick; both retry on 409), abandon
// some holds, get some cards declined and confirm the rest, while a few SSE clients follow the seat stream. Fans are scheduled, not one task each: a worker pool runs whichever fan is due
// next (arriving, polling their place, or shopping), so 200,000 fans fit on two cores.
public sealed class OnsaleSimulation(OnsaleTarget target, OnsaleOptions options, TextWriter log)
{
    private sealed class Fan(int number, string userId, string token)
    {
        public int Number { get; } = number;
        public string UserId { get; } = userId;
        public string Token { get; } = token;
        public string? QueueId { get; set; }
        public string? Pass { get; set; }
        public int Attempts { get; set; }
        public double? AdmittedAt { get; set; }
        /// <summary>How many seats the fan wants (best mode asks for fewer when told fewer are side by side).</summary>
        public int Wanted { get; set; }
    }

    private readonly OnsaleStats _stats = new();
    // Fans in the room come before fans still to arrive: when the simulation cannot keep up with the arrivals, the
    // latecomers join later, and those already queued, admitted or shopping act on time (as their own browsers would).
    private readonly PriorityQueue<Fan, double> _due = new();
    private readonly PriorityQueue<Fan, double> _arrivals = new();
    private readonly TokenSettings _tokens = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(target.SigningKey)));
    private HttpClient _booking = null!;
    private SeatBoard _board = null!;
    private long _eventId;
    private DateTimeOffset _onSaleAt;
    private int _pending;

    public async Task<OnsaleReport> RunAsync(CancellationToken cancellationToken = default)
    {
        _booking = target.Client("bookingapi");
        using var organizer = target.Client("eventsapi");
        var organizerToken = _tokens.Issue($"onsale-organizer-{Guid.NewGuid():N}", [Roles.Organizer], TimeSpan.FromHours(2));
        organizer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", organizerToken);
        (_eventId, _onSaleAt) = await CreateEventAsync(organizer);
        // The waiting room adapts its rate to the booking path and the seats left, up to the organizer's maximum.
        (await _booking.SendJsonAsync(HttpMethod.Put, $"/v1/booking/events/{_eventId}/queue/admission",
            new { min_per_second = Math.Max(1, options.AdmissionsPerSecond / 20), max_per_second = options.AdmissionsPerSecond }, organizerToken,
            cancellationToken)).EnsureSuccessStatusCode();
        var seatIds = (await _booking.GetFromJsonAsync<JsonElement>($"/v1/booking/events/{_eventId}/seats", cancellationToken))
            .GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("seat_id").GetInt64()).ToList();
        _board = new SeatBoard(seatIds);
        log.WriteLine($"onsale: event {_eventId}, {seatIds.Count:N0} seats, {options.Users:N0} fans, sale opens {options.PreSale.TotalSeconds:F0} s after creation, "
            + $"admission up to {options.AdmissionsPerSecond}/s, hold {options.HoldTtl.TotalSeconds:F0} s, mode {options.Mode}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var streams = Enumerable.Range(0, options.SseClients).Select(_ => FollowSeatStreamAsync(stop.Token)).ToList();
        var monitor = MonitorAsync(organizerToken, stop.Token);

        // Arrivals are spread at ArrivalsPerSecond from now; the first ones join before the sale opens.
        var random = new Random(options.RandomSeed);
        lock (_due)
        {
            for (var i = 0; i < options.Users; i++)
            {
                var userId = $"fan-{_eventId}-{i}";
                _arrivals.Enqueue(new Fan(i, userId, _tokens.Issue(userId, [], TimeSpan.FromHours(2), $"{userId}@fans.test")), _stats.Seconds + i / options.ArrivalsPerSecond);
            }
            _pending = options.Users;
        }
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(w => WorkAsync(new Random(random.Next()), stop.Token)));
        log.WriteLine($"onsale: every fan is done after {_stats.Seconds:F0} s; waiting {options.HoldTtl.TotalSeconds + 2:F0} s for abandoned holds to lapse "
            + $"and {options.Settle.TotalSeconds:F0} s for the payment reconciler");
        await Task.Delay(options.HoldTtl + TimeSpan.FromSeconds(2) + options.Settle, cancellationToken);
        await stop.CancelAsync();
        await Task.WhenAll(streams.Append(monitor).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        return await AuditAsync(organizerToken, cancellationToken);
    }

    private async Task WorkAsync(Random random, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Fan? fan;
            double dueAt;
            lock (_due)
            {
                if (_pending == 0)
                {
                    return;
                }
                var now = _stats.Seconds;
                if (_due.TryPeek(out fan, out dueAt) && dueAt <= now)
                {
                    _due.Dequeue();
                }
                else if (_arrivals.TryPeek(out fan, out dueAt) && dueAt <= now)
                {
                    _arrivals.Dequeue();
                }
                else
                {
                    fan = null;
                }
            }
            if (fan is null)
            {
                await Task.Delay(20, cancellationToken);
                continue;
            }
            double? next;
            try
            {
                next = await StepAsync(fan, random, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _stats.Unexpected);
                next = 1; // try this fan again in a second
            }
            lock (_due)
            {
                if (next is { } delay)
                {
                    _due.Enqueue(fan, _stats.Seconds + delay);
                }
                else
                {
                    _pending--;
                }
            }
        }
    }

    /// <summary>One thing a fan does; returns seconds until they act again, or null when they are done.</summary>
    private async Task<double?> StepAsync(Fan fan, Random random, CancellationToken cancellationToken)
    {
        if (_board.SoldOut)
        {
            return null; // their page says sold out
        }
        if (fan.QueueId is null)
        {
            var joined = await SendAsync(fan, HttpMethod.Post, $"/v1/booking/events/{_eventId}/queue", new { }, cancellationToken);
            var place = await ReadAsync(joined, cancellationToken);
            fan.QueueId = place.GetProperty("queue_id").GetString();
            Interlocked.Increment(ref _stats.Joined);
            return PollDelay(place);
        }
        if (fan.Pass is null)
        {
            // Anonymous, as a browser's EventSource would be: the queue id is the capability.
            using var polled = await _booking.GetAsync($"/v1/booking/events/{_eventId}/queue/{fan.QueueId}", cancellationToken);
            var status = await ReadAsync(polled, cancellationToken);
            Interlocked.Increment(ref _stats.Polls);
            switch (status.GetProperty("status").GetString())
            {
                case "admitted":
                    fan.Pass = status.GetProperty("pass").GetString();
                    Interlocked.Increment(ref _stats.Admitted);
                    break;
                case "waiting":
                    return PollDelay(status);
                default:
                    return null; // sold out, or the pass lapsed
            }
        }
        return await ShopAsync(fan, random, cancellationToken);
    }

    private async Task<double?> ShopAsync(Fan fan, Random random, CancellationToken cancellationToken)
    {
        fan.AdmittedAt ??= _stats.Seconds;
        if (fan.Wanted == 0)
        {
            fan.Wanted = random.Next(1, options.MaxTicketsPerFan + 1);
        }
        var best = options.Mode == OnsaleModes.Best;
        var seats = best ? [] : _board.Pick(fan.Wanted, random);
        // Best mode asks even when the board shows nothing free: the request waits its turn for seats that come back.
        if (!best && seats.Count == 0)
        {
            // Everything left is held: wait for holds to lapse, as long as the pass lasts.
            return _stats.Seconds - fan.AdmittedAt < options.HoldTtl.TotalSeconds * 3 ? 1 : null;
        }
        if (++fan.Attempts > 8)
        {
            return null; // lost too many races: gives up
        }
        var started = Stopwatch.GetTimestamp();
        using var reserved = await SendAsync(fan, HttpMethod.Post, "/v1/booking/reserve", best
            ? new
            {
                event_id = _eventId, quantity = (int?)(_board.AvailableCount > 0 ? Math.Min(fan.Wanted, _board.AvailableCount) : fan.Wanted),
                seat_ids = (List<long>?)null, queue_pass = fan.Pass, wait_seconds = (int?)options.ReturnsWaitSeconds,
            }
            : new { event_id = _eventId, quantity = (int?)null, seat_ids = (List<long>?)seats, queue_pass = fan.Pass, wait_seconds = (int?)null },
            cancellationToken);
        // A reserve that waited for returned seats says how long (Server-Timing "returns"): its latency is the rest.
        var waited = ReturnsWaitMilliseconds(reserved);
        if (waited is { } wait)
        {
            _stats.RecordWait(wait);
        }
        _stats.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds - (waited ?? 0), reserve: true, reserved.StatusCode == HttpStatusCode.Created);
        switch (reserved.StatusCode)
        {
            case HttpStatusCode.Created:
                break;
            case HttpStatusCode.Conflict when best:
                Interlocked.Increment(ref _stats.Conflicts);
                // Told what is left: a fan settles for the most there are side by side, or waits for holds to lapse.
                var (left, largest, soldOut) = await SeatsLeftAsync(reserved, cancellationToken);
                if (soldOut)
                {
                    return null;
                }
                if (left > 0)
                {
                    fan.Wanted = Math.Max(1, Math.Min(largest, fan.Wanted - 1));
                    return 0.05;
                }
                fan.Attempts--;
                return _stats.Seconds - fan.AdmittedAt < options.HoldTtl.TotalSeconds * 3 ? 1 : null;
            case HttpStatusCode.Conflict:
                Interlocked.Increment(ref _stats.Conflicts);
                return 0.05 + random.NextDouble() * 0.2;
            case HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity:
                return null; // pass lapsed, or at the ticket limit
            default:
                Interlocked.Increment(ref _stats.Unexpected);
                return null;
        }
        var reservationId = (await ReadAsync(reserved, cancellationToken)).GetProperty("reservation_id").GetString()!;

        var roll = random.NextDouble();
        if (roll < options.AbandonRate)
        {
            Interlocked.Increment(ref _stats.Abandoned);
            if (roll < options.AbandonRate / 2)
            {
                using var _ = await SendAsync(fan, HttpMethod.Delete, $"/v1/booking/reservations/{reservationId}", null, cancellationToken);
            }
            return null; // the other half just closes the tab: the hold lapses
        }
        if (roll < options.AbandonRate + options.DeclineRate)
        {
            using var declined = await ConfirmAsync(fan, reservationId, "pm_card_chargeDeclined", cancellationToken);
            Interlocked.Increment(ref _stats.Declined);
            if (random.NextDouble() < 0.5)
            {
                return null; // no other card: the hold lapses
            }
        }
        using var confirmed = await ConfirmAsync(fan, reservationId, "pm_card_visa", cancellationToken);
        switch (confirmed.StatusCode)
        {
            case HttpStatusCode.Created:
                return null;
            case HttpStatusCode.Accepted:
                Interlocked.Increment(ref _stats.Accepted202);
                return null; // the status URL settles it; the audit counts what was written
            case HttpStatusCode.Conflict or HttpStatusCode.Gone:
                return 0.1; // lost the seats: try others
            default:
                Interlocked.Increment(ref _stats.Unexpected);
                return null;
        }
    }

    private static double? ReturnsWaitMilliseconds(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Server-Timing", out var timings)
        && timings.SelectMany(t => t.Split(',')).Select(t => t.Trim()).FirstOrDefault(t => t.StartsWith("returns;dur=", StringComparison.Ordinal)) is { } returns
        && double.TryParse(returns["returns;dur=".Length..], System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? ms
            : null;

    private static async Task<(int Left, int Largest, bool SoldOut)> SeatsLeftAsync(HttpResponseMessage conflict, CancellationToken cancellationToken)
    {
        using var problem = JsonDocument.Parse(await conflict.Content.ReadAsStringAsync(cancellationToken));
        var root = problem.RootElement;
        return (root.TryGetProperty("seats_left", out var left) ? left.GetInt32() : 0,
            root.TryGetProperty("largest_block", out var largest) ? largest.GetInt32() : 1,
            root.TryGetProperty("sold_out", out var soldOut) && soldOut.GetBoolean());
    }

    private async Task<HttpResponseMessage> ConfirmAsync(Fan fan, string reservationId, string method, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await SendAsync(fan, HttpMethod.Post, "/v1/booking/confirm",
            new { reservation_id = reservationId, payment_info = new { method } }, cancellationToken);
        _stats.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, reserve: false, response.StatusCode == HttpStatusCode.Created);
        return response;
    }

    // A fan far back polls rarely (at most once a minute); one near the front every half second.
    private static double PollDelay(JsonElement place) =>
        Math.Clamp(place.GetProperty("estimated_wait_seconds").GetDouble() * 0.5, 0.5, 60);

    private Task<HttpResponseMessage> SendAsync(Fan fan, HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        _booking.SendJsonAsync(method, path, body, fan.Token, cancellationToken);

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {text}");
        }
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private async Task FollowSeatStreamAsync(CancellationToken cancellationToken)
    {
        string? lastId = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var stream = await SseReader.OpenAsync(_booking, $"/v1/booking/events/{_eventId}/seats/stream", lastId, cancellationToken);
                while (await stream.NextAsync(cancellationToken) is { } message)
                {
                    if (message.Type != ":")
                    {
                        _board.Apply(message);
                        lastId = message.Id ?? lastId;
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(200, cancellationToken); // reconnect and resume from the last id
            }
        }
    }

    private async Task MonitorAsync(string organizerToken, CancellationToken cancellationToken)
    {
        double? soldOutAt = null;
        var sold95 = (int)Math.Ceiling(_board.Capacity * 0.95);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var sample = _stats.Sample(_board.HeldCount, _board.SoldCount);
            if (_board.SoldOut && soldOutAt is null)
            {
                soldOutAt = sample.Seconds;
                SelloutSeconds = (DateTimeOffset.UtcNow - _onSaleAt).TotalSeconds;
            }
            if (sample.Sold >= sold95 && Sold95Seconds is null)
            {
                Sold95Seconds = (DateTimeOffset.UtcNow - _onSaleAt).TotalSeconds;
            }
            if ((int)sample.Seconds % 2 == 0)
            {
                log.WriteLine($"  t={sample.Seconds,5:F0}s joined={sample.Joined,7:N0} polls={Interlocked.Read(ref _stats.Polls),8:N0} admitted={sample.Admitted,7:N0} held={sample.Held,6:N0} "
                    + $"sold={sample.Sold,6:N0}/{_board.Capacity:N0} reserve/s={sample.ReservesPerSecond,5:F0} confirm/s={sample.ConfirmsPerSecond,5:F0} "
                    + $"p99={sample.P99Ms,5:F0}ms 409s={Interlocked.Read(ref _stats.Conflicts):N0} {await AdmissionAsync(organizerToken, cancellationToken)}");
            }
        }
    }

    // What the waiting room decided and why (the owner's view), for the progress line.
    private async Task<string> AdmissionAsync(string organizerToken, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _booking.SendJsonAsync(HttpMethod.Get, $"/v1/booking/events/{_eventId}/queue/admission", null, organizerToken,
                cancellationToken);
            var admission = await ReadAsync(response, cancellationToken);
            return $"admit={admission.GetProperty("admissions_per_second").GetDouble():F0}/s ({admission.GetProperty("reason").GetString()}, "
                + $"p95 {(admission.GetProperty("path_p95_milliseconds").ValueKind == JsonValueKind.Number ? admission.GetProperty("path_p95_milliseconds").GetDouble() : 0):F0} ms)";
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException && !cancellationToken.IsCancellationRequested)
        {
            return "admit=?";
        }
    }

    private double? SelloutSeconds { get; set; }

    private double? Sold95Seconds { get; set; }

    private async Task<(long EventId, DateTimeOffset OnSaleAt)> CreateEventAsync(HttpClient organizer)
    {
        // Rows of up to 50 seats, 20 rows a section.
        var rows = new List<int>();
        for (var left = options.Seats; left > 0; left -= 50)
        {
            rows.Add(Math.Min(50, left));
        }
        var sections = rows.Chunk(20).Select((chunk, s) => new { name = $"Block {s + 1}", rows = chunk.Select((seats, r) => new { label = $"R{r + 1}", seats }) });
        var venueResponse = await organizer.PostAsJsonAsync("/v1/venues",
            new { name = $"Onsale Arena {Guid.NewGuid():N}", city = "Manchester", address = "1 Stadium Way", sections }, TicketMasterJson.Options);
        var venue = await ReadAsync(venueResponse, CancellationToken.None);
        var startsAt = DateTimeOffset.UtcNow.AddDays(60);
        var onSaleAt = DateTimeOffset.UtcNow + options.PreSale;
        var eventResponse = await organizer.PostAsJsonAsync("/v1/events", new
        {
            event_name = "Onsale simulation", description = "A hot onsale", venue_id = venue.GetProperty("venue_id").GetInt64(),
            starts_at = startsAt, ends_at = startsAt.AddHours(3), on_sale_at = onSaleAt, max_tickets_per_user = options.MaxTicketsPerFan,
            waiting_room = true,
            hold_seconds = options.HoldTtl >= TimeSpan.FromMinutes(2) && options.HoldTtl <= TimeSpan.FromMinutes(10) ? (int?)options.HoldTtl.TotalSeconds : null,
            prices = venue.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("section_id").GetInt64().ToString(), _ => 4_500L),
        }, TicketMasterJson.Options);
        return ((await ReadAsync(eventResponse, CancellationToken.None)).GetProperty("event_id").GetInt64(), onSaleAt);
    }

    // The zeros of the final line come from MySQL and the API, not from the simulation's own bookkeeping.
    private async Task<OnsaleReport> AuditAsync(string organizerToken, CancellationToken cancellationToken)
    {
        await using var db = new MySqlConnection(target.MySqlConnectionString);
        await db.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand("""
            SELECT
              (SELECT COUNT(*) FROM event_seat WHERE event_id = @e AND status = 'sold'),
              (SELECT COUNT(*) - COUNT(DISTINCT seat_id) FROM ticket WHERE event_id = @e)
                + (SELECT COUNT(*) FROM event_seat es WHERE es.event_id = @e AND es.status = 'sold' AND NOT EXISTS
                    (SELECT 1 FROM ticket t WHERE t.event_id = es.event_id AND t.seat_id = es.seat_id AND t.booking_id = es.booking_id)),
              (SELECT COUNT(*) FROM payment p WHERE p.event_id = @e AND p.status = 'captured' AND NOT EXISTS
                    (SELECT 1 FROM ticket t JOIN booking b ON b.booking_id = t.booking_id WHERE b.booking_id = p.booking_id)),
              (SELECT COUNT(*) FROM ticket t JOIN booking b ON b.booking_id = t.booking_id WHERE t.event_id = @e AND NOT EXISTS
                    (SELECT 1 FROM payment p WHERE p.booking_id = b.booking_id AND p.status = 'captured'))
            """, db);
        command.Parameters.AddWithValue("@e", _eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (sold, doubleSold, chargedWithoutTicket, ticketsWithoutCharge) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));

        var map = await _booking.GetFromJsonAsync<JsonElement>($"/v1/booking/events/{_eventId}/seats", cancellationToken);
        var stranded = map.GetProperty("seats").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "held");
        var invariants = await ReadAsync(await _booking.SendJsonAsync(HttpMethod.Get, $"/v1/booking/admin/events/{_eventId}/invariants",
            null, organizerToken, cancellationToken), cancellationToken);

        // Rates while the sale was moving: seconds with no reserve (everything left held, waiting for TTLs) do not count.
        var active = Math.Max(1, _stats.Samples.Count(s => s.ReservesPerSecond > 0 || s.ConfirmsPerSecond > 0));
        var saleSeconds = (double)active;
        log.WriteLine($"onsale: {_stats.Joined:N0} joined, {_stats.Admitted:N0} admitted, {_stats.Reserved:N0} holds, {_stats.Conflicts:N0} reserve 409s, "
            + $"{_stats.Abandoned:N0} abandoned, {_stats.Declined:N0} declined, {_stats.Confirmed:N0} confirmed, {_stats.Accepted202:N0} answered 202, "
            + $"{_stats.Unexpected:N0} unexpected answers; invariant check: {invariants.GetRawText()}");
        return new OnsaleReport(_board.Capacity, sold, doubleSold, stranded, chargedWithoutTicket, ticketsWithoutCharge, SelloutSeconds,
            _stats.Reserved / saleSeconds, _stats.Confirmed / saleSeconds, _stats.P99Ms(), invariants.GetProperty("violations").GetInt32(), _stats.Samples,
            options.Mode, Sold95Seconds, Interlocked.Read(ref _stats.Conflicts), _stats.P99Ms(reserve: true), _stats.P99Ms(reserve: false), _stats.Waits());
    }
}
