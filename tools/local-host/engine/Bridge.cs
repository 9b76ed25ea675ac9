// The engine's calls to the Node bridge: run an orchestration, an activity or a triggered function (timer, queue),
// hand over the client binding.
// Values cross as the Functions host hands them over: JSON parsed with date parsing off, so strings that look like
// dates (`.100Z`, `+02:00`) reach the extension byte for byte.
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Azure.WebJobs;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace LocalHost.Engine;

/// <summary>Calls the Node bridge. No synchronization context may be captured: the shim blocks on results.</summary>
public static class Bridge
{
    private static readonly HttpClient Http = CreateClient();

    private static HttpClient CreateClient()
    {
        var client = new HttpClient
        {
            BaseAddress = new Uri(Program.Env("LOCAL_HOST_BRIDGE_URL") ?? "http://127.0.0.1:17072/"),
            Timeout = TimeSpan.FromMinutes(10),
        };
        // The launch's token: the bridge of another launch refuses this engine, and ours refuses other engines.
        string? token = Program.Env("LOCAL_HOST_TOKEN");
        if (token != null)
        {
            client.DefaultRequestHeaders.Add("x-local-host-token", token);
        }
        return client;
    }

    /// <summary>JSON text → token, dates left as strings (the host's gRPC conversion does the same).</summary>
    public static JToken ParseRaw(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        return JToken.Load(reader);
    }

    /// <summary>An orchestrator's result: the worker's state as a JObject the extension takes as is.</summary>
    public static async Task<JObject> RunOrchestratorAsync(string name, string contextJson)
    {
        JObject reply = await PostAsync("orchestration/" + Uri.EscapeDataString(name), contextJson).ConfigureAwait(false);
        if (reply.Value<bool>("ok"))
        {
            return ParseRaw(reply.Value<string>("result") ?? "null") as JObject
                ?? throw new InvalidOperationException($"Orchestrator '{name}' returned no state object.");
        }
        throw new WorkerFailureException(reply.Value<string>("message"), reply.Value<string>("stack"));
    }

    /// <summary>
    /// An activity, bound as the host binds it for a Node worker: the input as a string (`GetInput&lt;string&gt;`:
    /// a JSON string's value, other scalars as .NET prints them, objects as JSON), null when absent.
    /// </summary>
    public static Task<JToken> RunActivityAsync(string name, string? input, string instanceId)
        => PostActivityAsync(name, instanceId, JsonConvert.SerializeObject(input));

    /// <summary>
    /// An activity with durable client inputs: the input as above, and the binding data the extension produced for
    /// each client, as for a timer or queue function.
    /// </summary>
    public static Task<JToken> RunActivityAsync(
        string name, string? input, string instanceId, IReadOnlyDictionary<string, string?> clients)
    {
        var request = new JObject { ["input"] = input, ["clients"] = JObject.FromObject(clients) };
        return PostActivityAsync(name, instanceId, request.ToString(Formatting.None));
    }

    private static async Task<JToken> PostActivityAsync(string name, string instanceId, string body)
    {
        JObject reply = await PostAsync(
            "activity/" + Uri.EscapeDataString(name) + "?instanceId=" + Uri.EscapeDataString(instanceId),
            body).ConfigureAwait(false);
        if (reply.Value<bool>("ok"))
        {
            return ParseRaw(reply.Value<string>("result") ?? "null");
        }
        throw new WorkerFailureException(reply.Value<string>("message"), reply.Value<string>("stack"));
    }

    /// <summary>
    /// A timer or queue function, with what the host sends a Node worker: the trigger value and the binding data as
    /// typed data (<see cref="WorkerValues"/>), and the durable client binding data the extension produced for each
    /// durable client input. A failure in the worker fails the invocation, so WebJobs retries a queue message and
    /// finally moves it to the poison queue, as under the host.
    /// </summary>
    public static async Task RunTriggerAsync(
        string name, object? value, Binder binder, IReadOnlyDictionary<string, string?> clients)
    {
        Dictionary<string, object> bindingData = binder.BindingData;
        WorkerValues.ApplyBindingData(value, bindingData!);
        var request = new JObject
        {
            ["data"] = WorkerValues.ToRpc(value),
            ["triggerMetadata"] = WorkerValues.TriggerMetadata(bindingData!),
            ["clients"] = JObject.FromObject(clients),
        };
        string path = "trigger/" + Uri.EscapeDataString(name);
        string body = request.ToString(Formatting.None);
        JObject reply;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                reply = await PostAsync(path, body).ConfigureAwait(false);
                break;
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < 60)
            {
                // A timer that runs on startup can fire before the bridge listens; nothing ran yet, so try again.
                await Task.Delay(500).ConfigureAwait(false);
            }
        }
        if (!reply.Value<bool>("ok"))
        {
            throw new WorkerFailureException(reply.Value<string>("message"), reply.Value<string>("stack"));
        }
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

/// <summary>
/// A function that failed in the worker, with the message of the Functions host's RpcException
/// (`Result: Failure\nException: …\nStack: …`): the extension takes an orchestrator's state and an activity's
/// failure message from it exactly as it does under the host.
/// </summary>
public sealed class WorkerFailureException(string? message, string? stack)
    : Exception($"Result: Failure\nException: {message}\nStack: {stack}");
