using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketMaster.Messaging;

/// <summary>The wire format of every message on RabbitMQ: snake_case JSON, like the HTTP API.</summary>
public static class MessageJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
