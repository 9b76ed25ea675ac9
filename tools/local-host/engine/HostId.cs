// The host ID, as the Functions host derives it when it runs outside Azure (ScriptHostIdProvider): the app setting
// AzureFunctionsWebHost__hostid when set, else "{machine name, letters and digits}-{stable hash of the app's root}",
// lower-cased, at most 32 characters, no trailing '-'. Every instance of one app on one machine therefore shares it,
// and with it the singleton locks (one timer listener across instances) and the timer status blobs.
using System.Text;
using Microsoft.Azure.WebJobs.Host.Executors;

namespace LocalHost.Engine;

internal sealed class FunctionsHostIdProvider : IHostIdProvider
{
    private const int MaximumLength = 32;
    private readonly string hostId;

    public FunctionsHostIdProvider(string appRoot)
    {
        this.hostId = Compute(Program.Env("AzureFunctionsWebHost__hostid"), Environment.MachineName, appRoot);
    }

    public Task<string> GetHostIdAsync(CancellationToken cancellationToken) => Task.FromResult(this.hostId);

    internal static string Compute(string? configured, string machineName, string appRoot)
    {
        if (configured != null)
        {
            return configured;
        }
        var machine = new StringBuilder();
        foreach (char c in machineName)
        {
            if (char.IsLetterOrDigit(c))
            {
                machine.Append(c);
            }
        }
        string id = $"{machine}-{Math.Abs(StableHash(appRoot))}";
        if (id.Length > MaximumLength)
        {
            id = id.Substring(0, MaximumLength);
        }
        return id.ToLowerInvariant().TrimEnd('-');
    }

    /// <summary>The host's Utility.GetStableHash: string.GetHashCode is randomized per process.</summary>
    private static int StableHash(string value)
    {
        unchecked
        {
            int hash = 23;
            foreach (char c in value)
            {
                hash = (hash * 31) + c;
            }
            return hash;
        }
    }
}
