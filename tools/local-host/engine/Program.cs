// Local host for the app on the REAL Durable Task extension (WebJobs SDK + Microsoft.Azure.WebJobs.Extensions.DurableTask
// + its Azure Storage provider against Azurite), without the Functions host / Core Tools.
//
// Orchestrator, activity, timer and storage-queue functions are C# stubs generated from the app's registrations
// (Generated/AppFunctions.g.cs); each stub forwards to the Node bridge, which runs the app's TypeScript through
// @azure/functions' invocation path. Timers (Microsoft.Azure.WebJobs.Extensions) and queues
// (Microsoft.Azure.WebJobs.Extensions.Storage.Queues) are the real WebJobs triggers, on the same storage.
// The extension's local RPC endpoint (http://127.0.0.1:17071/durabletask/) is what the app's DurableClient calls.
//
// Environment (set by scripts/host-local.mjs):
//   AzureWebJobsStorage          storage connection string (Azurite)
//   LOCAL_HOST_HOST_JSON         path of the app's host.json (read under AzureFunctionsJobHost, as the Functions host does)
//   LOCAL_HOST_BRIDGE_URL        base URL of the Node bridge's internal endpoint, e.g. http://127.0.0.1:17072/
//   LOCAL_HOST_PUBLIC_BASE_URL   public base URL of the front door, default http://localhost:7071
//   LOCAL_HOST_TOKEN             the launch's token, sent to the bridge with every call
//   AzureFunctionsWebHost__hostid  optional host ID (singleton locks, timer status); default as the Functions host's
//                                  local one, the same for every instance of the app on this machine
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Extensions.Timers;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Azure.WebJobs.Host.Executors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace LocalHost.Engine;

public static class Program
{
    private const string JobHostRoot = "AzureFunctionsJobHost";

    public static async Task<int> Main(string[] args)
    {
        string hostJsonPath = Env("LOCAL_HOST_HOST_JSON") ?? Path.GetFullPath("host.json");
        // The app's root, as the host's script root: part of the host ID (see FunctionsHostIdProvider).
        string appRoot = Path.GetDirectoryName(Path.GetFullPath(hostJsonPath))!;
        string publicBase = (Env("LOCAL_HOST_PUBLIC_BASE_URL") ?? "http://localhost:7071").TrimEnd('/');
        if (Env("AzureWebJobsStorage") is null)
        {
            Console.Error.WriteLine("[engine] AzureWebJobsStorage is not set.");
            return 2;
        }

        // host.json under the Functions host's configuration root, AzureFunctionsJobHost (the WebJobs SDK takes its
        // root from AzureWebJobsConfigurationSection), then the environment: an app setting such as
        // AzureFunctionsJobHost__extensions__durableTask__hubName overrides host.json here as under the host.
        var settings = new Dictionary<string, string?> { ["AzureWebJobsConfigurationSection"] = JobHostRoot };
        if (File.Exists(hostJsonPath))
        {
            Flatten(JObject.Parse(File.ReadAllText(hostJsonPath)), JobHostRoot, settings);
        }

        var builder = new HostBuilder()
            .UseEnvironment("Development")
            .ConfigureAppConfiguration(c =>
            {
                c.AddInMemoryCollection(settings);
                c.AddEnvironmentVariables();
            })
            .ConfigureLogging(l =>
            {
                l.ClearProviders();
                l.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                });
                l.AddFilter("LocalHost", LogLevel.Information);
                if (Env("LOCAL_HOST_RPC_PORT_BUSY") == "1")
                {
                    // The extension's RPC endpoint fails on 17071, logs a "Hosting failed to start" trace, then takes
                    // another port; the launcher's ready message names the port it took.
                    l.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
                }
                string? level = Env("LOCAL_HOST_ENGINE_LOG_LEVEL");
                if (level != null && Enum.TryParse(level, true, out LogLevel parsed))
                {
                    l.SetMinimumLevel(parsed);
                    return;
                }
                l.SetMinimumLevel(LogLevel.Warning);
                // The function executor logs every failed activity/orchestrator invocation as an error; the bridge
                // already reports failures once, readably.
                l.AddFilter("Function", LogLevel.Critical);
                l.AddFilter("Host.Results", LogLevel.Critical);
                // Routine DTFx/extension/SDK warnings (out-of-order messages, tracing notices, 409s on create-if-missing)
                // drown the useful lines; the bridge logs each orchestration's start, completion and failure.
                // LOCAL_HOST_ENGINE_LOG_LEVEL=Information (or Debug) shows everything.
                l.AddFilter("DurableTask.AzureStorage", LogLevel.Error);
                l.AddFilter("DurableTask.Core", LogLevel.Error);
                l.AddFilter("Host.Triggers.DurableTask", LogLevel.Error);
                l.AddFilter("Azure.Core", LogLevel.Error);
            })
            .ConfigureWebJobs(b =>
            {
                b.AddDurableTask();
                // As the Functions host: storage-backed singleton locks (a timer's listener runs on one instance of
                // the app at a time), timers and storage queues.
                b.AddAzureStorageCoreServices();
                b.AddTimers();
                b.AddAzureStorageQueues();
            })
            .ConfigureServices(s =>
            {
                s.AddSingleton<ITypeLocator>(new ExplicitTypeLocator(
                    typeof(AppFunctions), typeof(global::Host.Functions), typeof(HostFunctions)));
                s.AddSingleton<IHostIdProvider>(new FunctionsHostIdProvider(appRoot));
                // The schedule status in blobs, where the host keeps it (AddTimers would register a monitor on the
                // older storage SDK, which this engine does not carry).
                s.RemoveAll<ScheduleMonitor>();
                s.AddSingleton<ScheduleMonitor, BlobScheduleMonitor>();
                s.AddSingleton<INameResolver, NodeWorkerNameResolver>();
                s.AddSingleton<IWebHookProvider>(new FixedWebHookProvider(new Uri(publicBase + "/runtime/webhooks/durabletask")));
                s.PostConfigure<DurableTaskOptions>(o =>
                {
                    // Settings come from host.json and its overrides only (queue polling included). With no connection
                    // named there, the extension uses its default "Storage" (resolved as AzureWebJobsStorage), as under
                    // the Functions host: the management links say connection=Storage there and here.
                    o.LocalRpcEndpointEnabled = true;
                });
            })
            .UseConsoleLifetime(o => o.SuppressStatusMessages = true);

        using IHost host = builder.Build();
        ILogger log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LocalHost.Engine");
        await host.StartAsync().ConfigureAwait(false);

        if (Env("LOCAL_HOST_WATCH_STDIN") == "1")
        {
            // The launcher holds our stdin open; when it goes away (even killed), stop instead of lingering.
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = Task.Run(() =>
            {
                try
                {
                    Console.In.ReadToEnd();
                }
                catch (IOException)
                {
                }
                lifetime.StopApplication();
            });
        }

        // Let the extension produce the durable client binding data itself ([DurableClient] string).
        var jobHost = host.Services.GetRequiredService<IJobHost>();
        await jobHost.CallAsync(nameof(HostFunctions.LocalHostClientBinding)).ConfigureAwait(false);
        string clientJson = HostFunctions.ClientBindingJson ?? throw new InvalidOperationException("No durable client binding data.");
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DurableTaskOptions>>().Value;
        log.LogInformation("Durable Task extension started: hub {Hub}, storage provider settings {Settings}.",
            options.HubName, options.StorageProvider.Count == 0 ? "(defaults)" : string.Join(", ", options.StorageProvider.Select(kv => kv.Key + "=" + kv.Value)));
        await Bridge.PostClientBindingAsync(clientJson).ConfigureAwait(false);
        log.LogInformation("Client binding handed to the bridge; engine ready.");

        await host.WaitForShutdownAsync().ConfigureAwait(false);
        log.LogInformation("Engine stopped.");
        return 0;
    }

    internal static string? Env(string name)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static void Flatten(JToken token, string prefix, IDictionary<string, string?> into)
    {
        switch (token)
        {
            case JObject obj:
                foreach (var prop in obj.Properties())
                {
                    Flatten(prop.Value, prefix + ":" + prop.Name, into);
                }
                break;
            case JArray arr:
                for (int i = 0; i < arr.Count; i++)
                {
                    Flatten(arr[i], prefix + ":" + i, into);
                }
                break;
            default:
                into[prefix] = token.Type == JTokenType.Null ? null : token.ToString();
                break;
        }
    }
}
