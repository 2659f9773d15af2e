using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketMaster.ServiceDefaults;

/// <summary>snake_case JSON for the HTTP API (messages on RabbitMQ use the same shape: MessageJson).</summary>
public static class TicketMasterJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }
}
