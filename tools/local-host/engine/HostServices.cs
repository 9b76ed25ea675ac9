// Services the WebJobs SDK and the Durable extension need from a host, supplied by the local host.
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;

namespace LocalHost.Engine;

/// <summary>Functions of the host itself (not the app's).</summary>
public static class HostFunctions
{
    internal static volatile string? ClientBindingJson;

    /// <summary>Called once at startup so the extension itself produces the durable client binding JSON.</summary>
    [NoAutomaticTrigger]
    [FunctionName(nameof(LocalHostClientBinding))]
    public static void LocalHostClientBinding([DurableClient] string client)
    {
        ClientBindingJson = client;
    }
}

internal sealed class ExplicitTypeLocator : ITypeLocator
{
    private readonly IReadOnlyList<Type> types;

    public ExplicitTypeLocator(params Type[] types) => this.types = types;

    public IReadOnlyList<Type> GetTypes() => this.types;
}

/// <summary>FUNCTIONS_WORKER_RUNTIME=node selects the extension's JSON out-of-process protocol.</summary>
internal sealed class NodeWorkerNameResolver : INameResolver
{
    public string? Resolve(string name)
    {
        if (string.Equals(name, "FUNCTIONS_WORKER_RUNTIME", StringComparison.OrdinalIgnoreCase))
        {
            return "node";
        }
        // Platform detection (DefaultPlatformInformation) reads these through the name resolver; a CONTAINER_NAME
        // set by a container runtime would make the extension think it runs on Linux Consumption and dump its
        // EventSource telemetry to stdout. This is a local host: no App Service platform.
        if (name.StartsWith("WEBSITE_", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "CONTAINER_NAME", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "FUNCTIONS_LOGS_MOUNT_PATH", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return Environment.GetEnvironmentVariable(name);
    }
}

internal sealed class FixedWebHookProvider : IWebHookProvider
{
    private readonly Uri baseUri;

    public FixedWebHookProvider(Uri baseUri) => this.baseUri = baseUri;

    public Uri GetUrl(IExtensionConfigProvider extension) => this.baseUri;
}
