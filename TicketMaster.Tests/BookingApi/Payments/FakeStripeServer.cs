using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TicketMaster.Tests.Infrastructure;

namespace TicketMaster.Tests.BookingApi.Payments;

/// <summary>
/// A local HTTP server speaking the part of Stripe's wire format we use: form-encoded PaymentIntent create
/// (manual capture, confirm), capture and cancel (refused in a state Stripe refuses them), refunds, card errors as
/// 402, Idempotency-Key replays (and a 400 for a key reused with other parameters). Stripe's API is not reachable from
/// here, and it is a paid external service: this is the one fake the project allows. The whole test run's BookingApi
/// pays through it.
/// </summary>
public sealed class FakeStripeServer : LocalServer
{
    /// <summary>A test payment method whose intents the provider refuses to capture until <see cref="AllowCapture"/>.</summary>
    public const string CaptureFailsMethod = "pm_card_captureFailsForTests";

    private readonly object _gate = new();
    private readonly Dictionary<string, (string Request, int Status, string Body)> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _intents = new();
    private readonly ConcurrentDictionary<string, bool> _capturable = new(StringComparer.Ordinal);
    private int _next;

    public ConcurrentQueue<(string Method, string Path, Dictionary<string, string> Form, string? IdempotencyKey)> Requests { get; } = new();

    public int IntentsCreated => _intents.Count;

    private volatile bool _refusingRefunds;

    /// <summary>How long each refund takes to answer (a slow provider: the event-cancellation crash test needs time to kill).</summary>
    public TimeSpan RefundDelay { get; set; }

    /// <summary>While true, every refund is answered with Stripe's 500 (a provider outage).</summary>
    public void RefuseRefunds(bool refuse) => _refusingRefunds = refuse;

    /// <summary>This intent, created with <see cref="CaptureFailsMethod"/>, can be captured from now on.</summary>
    public void AllowCapture(string intentId) => _capturable[intentId] = true;

    /// <summary>The intents created for a reservation (their description names it), with their status.</summary>
    public IReadOnlyList<(string Id, string Status)> IntentsOf(string reservationId) =>
        _intents.Values.Where(i => (string?)i["description"] == $"TicketMaster {reservationId}")
            .Select(i => ((string)i["id"]!, (string)i["status"]!)).OrderBy(i => i.Item1, StringComparer.Ordinal).ToList();

    /// <summary>The intents whose description starts with <paramref name="descriptionPrefix"/> ("TicketMaster r_{event_id}_": an event's).</summary>
    public IReadOnlyList<(string Id, string Status)> IntentsOfEvent(string descriptionPrefix) =>
        _intents.Values.Where(i => ((string?)i["description"])?.StartsWith(descriptionPrefix, StringComparison.Ordinal) == true)
            .Select(i => ((string)i["id"]!, (string)i["status"]!)).ToList();

    /// <summary>What was refunded of an intent so far, in cents.</summary>
    public long RefundedOf(string intentId) =>
        _intents.TryGetValue(intentId, out var intent) ? intent["amount_refunded"]?.GetValue<long>() ?? 0 : 0;

    public string? StatusOf(string intentId) => _intents.TryGetValue(intentId, out var intent) ? (string?)intent["status"] : null;

    /// <summary>An intent captured outside any confirm (a payment that went through after its confirm gave up).</summary>
    public string CreateCapturedIntent(long amountCents)
    {
        lock (_gate)
        {
            var (_, body) = Handle("/v1/payment_intents", new() { ["amount"] = amountCents.ToString(System.Globalization.CultureInfo.InvariantCulture), ["currency"] = "usd",
                ["payment_method"] = "pm_card_visa", ["capture_method"] = "manual", ["description"] = "TicketMaster late payment" });
            var id = (string)JsonNode.Parse(body)!["id"]!;
            _intents[id]["status"] = "succeeded";
            return id;
        }
    }

    protected override async Task RespondAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync();
        var form = raw.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
        var key = context.Request.Headers["Idempotency-Key"];
        var path = context.Request.Url!.AbsolutePath;
        Requests.Enqueue((context.Request.HttpMethod, path, form, key));
        if (path == "/v1/refunds" && RefundDelay > TimeSpan.Zero)
        {
            await Task.Delay(RefundDelay);
        }

        int status;
        string body;
        lock (_gate)
        {
            var request = $"{path}?{raw}";
            if (key is not null && _byIdempotencyKey.TryGetValue(key, out var replay))
            {
                (status, body) = replay.Request == request ? (replay.Status, replay.Body)
                    : (400, """{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}""");
            }
            else
            {
                (status, body) = Handle(path, form);
                // Stripe does not keep the answer to a request that failed on its side (5xx): a retry runs again.
                if (key is not null && status < 500)
                {
                    _byIdempotencyKey[key] = (request, status, body);
                }
            }
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["Request-Id"] = $"req_{Interlocked.Increment(ref _next)}";
        var bytes = Encoding.UTF8.GetBytes(body);
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private (int Status, string Body) Handle(string path, Dictionary<string, string> form)
    {
        var segments = path.Trim('/').Split('/');
        switch (segments)
        {
            case ["v1", "payment_intents"]:
                if (form.GetValueOrDefault("payment_method") == "pm_card_chargeDeclined")
                {
                    return (402, """{"error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined.","param":""}}""");
                }
                var id = $"pi_fake{Interlocked.Increment(ref _next):D6}";
                var intent = new JsonObject
                {
                    ["id"] = id,
                    ["object"] = "payment_intent",
                    ["amount"] = long.Parse(form["amount"]),
                    ["currency"] = form["currency"],
                    ["capture_method"] = form.GetValueOrDefault("capture_method", "automatic"),
                    ["payment_method"] = form.GetValueOrDefault("payment_method"),
                    ["description"] = form.GetValueOrDefault("description"),
                    ["status"] = form.GetValueOrDefault("payment_method") == "pm_card_authenticationRequired" ? "requires_action" : "requires_capture",
                    ["livemode"] = false,
                    ["metadata"] = new JsonObject(),
                };
                _intents[id] = intent;
                return (200, intent.ToJsonString());
            case ["v1", "payment_intents", var intentId, "capture"] when _intents.TryGetValue(intentId, out var existing):
                if ((string?)existing["payment_method"] == CaptureFailsMethod && !_capturable.ContainsKey(intentId))
                {
                    return (500, """{"error":{"type":"api_error","message":"An error occurred with our connection to the card network."}}""");
                }
                return Move(existing, from: "requires_capture", to: "succeeded", "capture");
            case ["v1", "payment_intents", var intentId, "cancel"] when _intents.TryGetValue(intentId, out var existing):
                return (string)existing["status"]! is "succeeded" or "canceled"
                    ? Unexpected(existing, "cancel")
                    : Move(existing, from: (string)existing["status"]!, to: "canceled", "cancel");
            case ["v1", "refunds"] when _refusingRefunds:
                return (500, """{"error":{"type":"api_error","message":"An error occurred with our connection to the card network."}}""");
            case ["v1", "refunds"] when _intents.TryGetValue(form.GetValueOrDefault("payment_intent") ?? "", out var paid):
                if ((string?)paid["status"] != "succeeded")
                {
                    return Unexpected(paid, "refund");
                }
                // Stripe refunds the whole remainder unless an amount is given, and never more than was paid.
                var paidAmount = paid["amount"]!.GetValue<long>();
                var refundedBefore = paid["amount_refunded"]?.GetValue<long>() ?? 0;
                var amount = form.TryGetValue("amount", out var asked) ? long.Parse(asked) : paidAmount - refundedBefore;
                if (amount <= 0 || refundedBefore + amount > paidAmount)
                {
                    return (400, """{"error":{"type":"invalid_request_error","code":"amount_too_large","message":"Refund amount is greater than unrefunded amount on charge."}}""");
                }
                var refund = new JsonObject
                {
                    ["id"] = $"re_fake{Interlocked.Increment(ref _next):D6}",
                    ["object"] = "refund",
                    ["amount"] = amount,
                    ["payment_intent"] = (string)paid["id"]!,
                    ["status"] = "succeeded",
                };
                paid["amount_refunded"] = refundedBefore + amount;
                paid["refunded"] = refundedBefore + amount == paidAmount;
                return (200, refund.ToJsonString());
            case ["v1", "payment_intents", _, _] or ["v1", "refunds"]:
                return (404, """{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent."}}""");
            default:
                return (404, """{"error":{"type":"invalid_request_error","message":"Unrecognized request URL."}}""");
        }
    }

    private static (int, string) Move(JsonObject intent, string from, string to, string action)
    {
        if ((string)intent["status"]! != from)
        {
            return Unexpected(intent, action);
        }
        intent["status"] = to;
        return (200, intent.ToJsonString());
    }

    private static (int, string) Unexpected(JsonObject intent, string action) =>
        (400, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["type"] = "invalid_request_error",
                ["code"] = "payment_intent_unexpected_state",
                ["message"] = $"You cannot {action} this PaymentIntent because it has a status of {intent["status"]}.",
            },
        }.ToJsonString());
}
