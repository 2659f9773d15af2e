using System.Text;
using System.Text.Json;

namespace TicketMaster.Deploy;

/// <summary>An ordered YAML mapping: keys keep the order they were added in (stable, diffable output).</summary>
public sealed class Map : List<KeyValuePair<string, object?>>
{
    public void Add(string key, object? value) => Add(new KeyValuePair<string, object?>(key, value));
}

// A minimal block-style YAML writer for the generated manifests. Every string is written as a JSON string,
// which is valid YAML and never misread (no "yes"/"no"/"1.0" surprises).
public static class Yaml
{
    public static string Write(params object[] documents) =>
        string.Join("---\n", documents.Select(d =>
        {
            var text = new StringBuilder();
            WriteNode(text, d, 0, inList: false);
            return text.ToString();
        }));

    private static void WriteNode(StringBuilder text, object? node, int indent, bool inList)
    {
        switch (node)
        {
            case Map map:
                var first = true;
                foreach (var (key, value) in map)
                {
                    if (!(inList && first))
                    {
                        text.Append(' ', indent);
                    }
                    first = false;
                    text.Append(key).Append(':');
                    WriteValue(text, value, indent + 2);
                }
                if (map.Count == 0)
                {
                    text.Append("{}\n");
                }
                break;
            case System.Collections.IEnumerable list and not string:
                foreach (var item in list)
                {
                    text.Append(' ', indent).Append("- ");
                    if (item is Map itemMap && itemMap.Count > 0)
                    {
                        WriteNode(text, itemMap, indent + 2, inList: true);
                    }
                    else
                    {
                        text.Append(Scalar(item)).Append('\n');
                    }
                }
                break;
            default:
                text.Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteValue(StringBuilder text, object? value, int indent)
    {
        switch (value)
        {
            case Map { Count: > 0 } map:
                text.Append('\n');
                WriteNode(text, map, indent, inList: false);
                break;
            case Map:
                text.Append(" {}\n");
                break;
            case System.Collections.IEnumerable list and not string:
                var items = list.Cast<object?>().ToList();
                if (items.Count == 0)
                {
                    text.Append(" []\n");
                    break;
                }
                text.Append('\n');
                WriteNode(text, items, indent, inList: false);
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
        _ => JsonSerializer.Serialize(value.ToString()),
    };
}
