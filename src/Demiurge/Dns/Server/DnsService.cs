using System.Net;

namespace Demiurge.Dns.Server;

/// <summary>
/// Runs the embedded DNS server in this process when its role serves DNS and the embedded
/// provider is configured, and follows the store so that writes by other processes show up too.
/// </summary>
internal sealed partial class DnsService(ServedZone zone, ControlPlaneRole role, IOptions<DnsOptions> options, TimeProvider time, ILogger<DnsService> logger) : BackgroundService
{
    /// <summary>How often the store is asked for changes made by other processes.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private DnsServer? _server;

    /// <summary>Where the server listens; null when this process does not serve DNS.</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var dns = options.Value;
        if (!role.ServesDns || dns.Provider != DnsOptions.Embedded)
        {
            return;
        }

        await zone.SyncAsync(cancellationToken);
        _server = DnsServer.Start(new IPEndPoint(IPAddress.Parse(dns.Address), dns.Port), () => zone.Current, dns.TcpLimits(), logger);
        LogListening(logger, _server.EndPoint, zone.Current.Origin, zone.Current.Serial);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await zone.SyncAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or OutOfMemoryException))
            {
                // The store may be briefly unavailable; the zone keeps answering what it has.
                LogSyncFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "DNS server listening on {EndPoint} (UDP and TCP) for {Zone}, serial {Serial}.")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint, string zone, long serial);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Reading DNS changes from the store failed; retrying.")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
