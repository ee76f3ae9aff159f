namespace Demiurge.Dns.Server;

/// <summary>
/// The zone the embedded server answers from, kept current from the store: the static records
/// from the settings, then every record set in <see cref="IDnsStore"/>, at the store's version.
/// </summary>
internal sealed partial class ServedZone(IDnsStore store, IOptions<PlatformOptions> platform, IOptions<DnsOptions> options, ILogger<ServedZone> logger) : IDisposable
{
    private readonly SemaphoreSlim _sync = new(1, 1);
    private DnsZone _zone = DnsZone.Create(platform.Value.Domain.ToLowerInvariant(), DnsZoneRecords.Static(platform.Value.Domain, options.Value));

    /// <summary>The latest version; reading it takes no lock.</summary>
    public DnsZone Current => Volatile.Read(ref _zone);

    /// <summary>
    /// Applies what changed in the store since <see cref="Current"/>. Syncs run one at a time and
    /// each applies every change up to the version it read, so changes land in order whoever syncs:
    /// the provider right after its write, or the watcher that follows other processes' writes.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            var zone = Current;
            var (version, changes) = await store.DnsRecordSetsChangedAsync(zone.Serial, cancellationToken);
            if (version != zone.Serial)
            {
                Volatile.Write(ref _zone, zone.Apply(version, changes, (set, error) => LogInvalidSet(logger, set.Name, set.Type, error)));
            }
        }
        finally
        {
            _sync.Release();
        }
    }

    public void Dispose() => _sync.Dispose();

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "DNS record set {Name} {Type} from the store is not served: {Error}.")]
    private static partial void LogInvalidSet(ILogger logger, string name, string type, string error);
}
