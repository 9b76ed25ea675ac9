// Timer schedule status in blob storage, as the Functions host keeps it: the host registers the storage-backed
// ScheduleMonitor of Microsoft.Azure.WebJobs.Extensions.Timers.Storage (AddTimersWithStorage), which is not served
// here, and the one that Microsoft.Azure.WebJobs.Extensions 3.0.6 registers needs the older storage SDK. This one
// keeps the same blob, azure-webjobs-hosts/timers/{hostId}/{timerName}/status, with the same JSON, through the
// hosting container of the storage core services (the container the singleton locks live in).
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Azure.WebJobs.Extensions.Timers;
using Microsoft.Azure.WebJobs.Host.Executors;
using Microsoft.Azure.WebJobs.Host.Storage;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;

namespace LocalHost.Engine;

internal sealed class BlobScheduleMonitor : ScheduleMonitor
{
    private readonly IAzureBlobStorageProvider storage;
    private readonly IHostIdProvider hostIds;
    private readonly ILogger logger;

    // ISO dates, as the host's monitor writes them (its status blobs and these are interchangeable).
    private readonly JsonSerializer serializer = JsonSerializer.Create(new JsonSerializerSettings
    {
        DateFormatHandling = DateFormatHandling.IsoDateFormat,
    });

    private BlobContainerClient? container;
    private string? directory;

    public BlobScheduleMonitor(IAzureBlobStorageProvider storage, IHostIdProvider hostIds, ILoggerFactory loggers)
    {
        this.storage = storage;
        this.hostIds = hostIds;
        this.logger = loggers.CreateLogger("Host.Triggers.Timer");
    }

    public override async Task<ScheduleStatus?> GetStatusAsync(string timerName)
    {
        try
        {
            var blob = await this.StatusBlobAsync(timerName).ConfigureAwait(false);
            var content = await blob.DownloadContentAsync().ConfigureAwait(false);
            using var reader = new StringReader(content.Value.Content.ToString());
            return (ScheduleStatus?)this.serializer.Deserialize(reader, typeof(ScheduleStatus));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No status recorded yet (or no container yet): the listener starts from the schedule.
            return null;
        }
    }

    public override async Task UpdateStatusAsync(string timerName, ScheduleStatus status)
    {
        using var writer = new StringWriter();
        this.serializer.Serialize(writer, status);
        var data = BinaryData.FromString(writer.ToString());
        try
        {
            var blob = await this.StatusBlobAsync(timerName).ConfigureAwait(false);
            try
            {
                await blob.UploadAsync(data, overwrite: true).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                await this.container!.CreateIfNotExistsAsync().ConfigureAwait(false);
                await blob.UploadAsync(data, overwrite: true).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Best effort, as in the host: a missed update only means a possibly late past-due check.
            this.logger.LogError(e, "Function '{Timer}' failed to update the timer trigger status.", timerName);
        }
    }

    private async Task<BlobClient> StatusBlobAsync(string timerName)
    {
        if (this.container == null || this.directory == null)
        {
            // Resolved late: the host ID is known only once the host runs.
            string hostId = await this.hostIds.GetHostIdAsync(CancellationToken.None).ConfigureAwait(false);
            if (!this.storage.TryCreateHostingBlobContainerClient(out BlobContainerClient client))
            {
                throw new InvalidOperationException("No storage for the timer schedule status (AzureWebJobsStorage).");
            }
            this.directory = "timers/" + hostId;
            this.container = client;
        }
        return this.container.GetBlobClient($"{this.directory}/{timerName}/status");
    }
}
