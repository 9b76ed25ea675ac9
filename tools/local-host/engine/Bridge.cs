// The engine's calls to the Node bridge: run an orchestration or an activity, hand over the client binding.
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Newtonsoft.Json.Linq;

namespace LocalHost.Engine;

/// <summary>Calls the Node bridge. No synchronization context may be captured: the shim blocks on results.</summary>
public static class Bridge
{
    private static readonly HttpClient Http = new()
    {
        BaseAddress = new Uri(Program.Env("LOCAL_HOST_BRIDGE_URL") ?? "http://127.0.0.1:17072/"),
        Timeout = TimeSpan.FromMinutes(10),
    };

    public static async Task<string> RunOrchestratorAsync(string name, string contextJson)
    {
        JObject reply = await PostAsync("orchestration/" + Uri.EscapeDataString(name), contextJson).ConfigureAwait(false);
        if (reply.Value<bool>("ok"))
        {
            return reply.Value<string>("result") ?? "null";
        }
        // The Functions host's RpcException format; the extension recovers the worker's state from it.
        throw new Exception($"Result: Failure\nException: {reply.Value<string>("message")}\nStack: {reply.Value<string>("stack")}");
    }

    public static async Task<JToken> RunActivityAsync(string name, IDurableActivityContext context)
    {
        JToken? input = context.GetInput<JToken>();
        // durable-functions sends a string input already JSON-encoded, and the Functions host hands
        // a string-valued input to the worker as its raw value, so only non-strings are serialized.
        string inputJson = input is JValue { Type: JTokenType.String } text
            ? (string)text!
            : input?.ToString(Newtonsoft.Json.Formatting.None) ?? "null";
        JObject reply = await PostAsync(
            "activity/" + Uri.EscapeDataString(name) + "?instanceId=" + Uri.EscapeDataString(context.InstanceId),
            inputJson).ConfigureAwait(false);
        if (reply.Value<bool>("ok"))
        {
            return JToken.Parse(reply.Value<string>("result") ?? "null");
        }
        throw new Exception(reply.Value<string>("message"));
    }

    public static async Task PostClientBindingAsync(string clientJson)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await PostAsync("client-binding", clientJson).ConfigureAwait(false);
                return;
            }
            catch (HttpRequestException) when (attempt < 60)
            {
                await Task.Delay(500).ConfigureAwait(false);
            }
        }
    }

    private static async Task<JObject> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await Http.PostAsync(path, content).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Bridge answered {(int)response.StatusCode} for {path}: {text}");
        }
        return JObject.Parse(text);
    }
}
