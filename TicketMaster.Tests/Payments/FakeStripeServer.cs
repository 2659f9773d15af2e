using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace TicketMaster.Tests.Payments;

/// <summary>
/// A local HTTP server speaking the part of Stripe's wire format we use: form-encoded PaymentIntent create
/// (manual capture, confirm), capture and cancel, card errors as 402, and Idempotency-Key replays. Stripe's API is
/// not reachable from here, and it is a paid external service: this is the one fake the project allows.
/// </summary>
public sealed class FakeStripeServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _byIdempotencyKey = new();
    private readonly ConcurrentDictionary<string, JsonObject> _intents = new();
    private int _next;

    public FakeStripeServer()
    {
        var port = FreePort();
        BaseAddress = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(BaseAddress + "/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string BaseAddress { get; }

    public ConcurrentQueue<(string Method, string Path, Dictionary<string, string> Form, string? IdempotencyKey)> Requests { get; } = new();

    public int IntentsCreated => _intents.Count;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var form = (await reader.ReadToEndAsync()).Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
            var key = context.Request.Headers["Idempotency-Key"];
            var path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue((context.Request.HttpMethod, path, form, key));

            var (status, body) = key is not null && _byIdempotencyKey.TryGetValue(key, out var replay) ? replay : Handle(path, form);
            if (key is not null)
            {
                _byIdempotencyKey.TryAdd(key, (status, body));
            }
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.Headers["Request-Id"] = $"req_{Interlocked.Increment(ref _next)}";
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
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
                    ["status"] = form.GetValueOrDefault("payment_method") == "pm_card_authenticationRequired" ? "requires_action" : "requires_capture",
                    ["livemode"] = false,
                    ["metadata"] = new JsonObject(),
                };
                _intents[id] = intent;
                return (200, intent.ToJsonString());
            case ["v1", "payment_intents", var intentId, var action] when _intents.TryGetValue(intentId, out var existing):
                existing["status"] = action == "capture" ? "succeeded" : "canceled";
                return (200, existing.ToJsonString());
            default:
                return (404, """{"error":{"type":"invalid_request_error","message":"Unrecognized request URL."}}""");
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose() => _listener.Close();
}
