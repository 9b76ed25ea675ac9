// A trigger's value and binding data as the Functions host hands them to a Node worker:
// - WorkerFunctionInvoker.TransformInput → Utility.ApplyBindingData: a trigger value that is a JSON object string
//   adds its top-level properties (not arrays, not nulls) to the binding data, objects as JObject, others as string;
// - GrpcMessageConversionExtensions.ToRpc: byte[] → bytes, JObject → json, string → string, double → double,
//   anything else → json (JsonConvert.SerializeObject; a TimerInfo, a DequeueCount, a DateTimeOffset);
// - ScriptInvocationContextExtensions: binding data without nulls and without `sys` becomes the trigger metadata.
// Typed data crosses to the bridge as JSON: {"string"}, {"json"}, {"bytes": base64}, {"double"}, or {} for none.
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace LocalHost.Engine;

public static class WorkerValues
{
    public static void ApplyBindingData(object? value, IDictionary<string, object?> bindingData)
    {
        if (value is not string json || !IsJson(json))
        {
            return;
        }
        try
        {
            // JObject.Parse with its default settings, as the host calls it (date-like strings become DateTime, and
            // their string form is then the invariant culture's: that is the host's behaviour too).
            JObject parsed = JObject.Parse(json);
            foreach (JProperty property in parsed.Properties())
            {
                if (property.Value.Type == JTokenType.Array)
                {
                    continue;
                }
                // Typed as object on purpose: JToken converts implicitly from string, and a string must stay one
                // (it goes to the worker as a string, which the Node worker then JSON-parses: "5" → 5).
                object? item = property.Value.Type == JTokenType.Object ? (object)property.Value : (string?)property.Value;
                if (item != null)
                {
                    bindingData[property.Name] = item;
                }
            }
        }
        catch (Exception)
        {
            // Not a JSON object after all (an array, say): no extra binding data; the host ignores any failure here.
        }
    }

    public static JObject ToRpc(object? value)
    {
        switch (value)
        {
            case null:
                return new JObject();
            case byte[] bytes:
                return new JObject { ["bytes"] = Convert.ToBase64String(bytes) };
            case JObject obj:
                return new JObject { ["json"] = obj.ToString(Formatting.None) };
            case string text:
                return new JObject { ["string"] = text };
            case double number:
                return new JObject { ["double"] = number };
            default:
                try
                {
                    return new JObject { ["json"] = JsonConvert.SerializeObject(value, Formatting.None) };
                }
                catch (JsonException)
                {
                    return new JObject { ["string"] = value.ToString() };
                }
        }
    }

    public static JObject TriggerMetadata(IEnumerable<KeyValuePair<string, object?>> bindingData)
    {
        var metadata = new JObject();
        foreach (var (key, value) in bindingData)
        {
            // `sys` (SystemBindingData) is for the binding pipeline only; the host leaves it out, and nulls.
            if (value == null
                || (string.Equals(key, "sys", StringComparison.OrdinalIgnoreCase) && value.GetType().Name == "SystemBindingData"))
            {
                continue;
            }
            metadata[key] = ToRpc(value);
        }
        return metadata;
    }

    private static bool IsJson(string input)
    {
        string trimmed = input.Trim();
        return (trimmed.StartsWith('{') && trimmed.EndsWith('}')) || (trimmed.StartsWith('[') && trimmed.EndsWith(']'));
    }
}
