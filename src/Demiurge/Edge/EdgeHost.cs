using System.Collections;
using System.Net;
using Demiurge.Hosting;
using Demiurge.Store;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Demiurge.Edge;

/// <summary>
/// The embedded edge's web server: its own Kestrel listeners (plain HTTP, and TLS with a
/// certificate chosen by SNI: one per organization) and one forwarding endpoint, apart from the API's
/// pipeline. <c>demiurge edge</c> runs it alone over the store; <c>demiurge up</c> runs it in
/// process, sharing the route table the allocation saga writes to.
/// </summary>
internal sealed class EdgeHost : IAsyncDisposable
{
    /// <summary>The folder under the data directory that holds the local certificate authority.</summary>
    public const string FolderName = "edge";

    private readonly WebApplication _app;
    private readonly bool _migrateStore;

    private EdgeHost(WebApplication app, bool migrateStore)
    {
        _app = app;
        _migrateStore = migrateStore;
    }

    public IServiceProvider Services => _app.Services;

    public DemiurgeOptions Options => _app.Services.GetRequiredService<IOptions<DemiurgeOptions>>().Value;

    /// <summary>The plain HTTP listener's address, known once started (the port may have been 0).</summary>
    public Uri HttpUrl { get; private set; } = null!;

    /// <summary>The TLS listener's address, known once started.</summary>
    public Uri HttpsUrl { get; private set; } = null!;

    /// <summary>The local certificate authority's certificate, the file operators trust.</summary>
    public string CertificateAuthorityPath => Path.Combine(Folder(Options), LocalCertificateAuthority.CertificateFileName);

    /// <summary>
    /// The standalone edge of <c>demiurge edge</c>: settings from appsettings.json, <c>DEMIURGE_*</c>
    /// variables and <paramref name="flags"/>, routes from the configured store.
    /// </summary>
    /// <exception cref="ConfigurationException">Some settings are invalid; every problem is listed.</exception>
    public static EdgeHost Create(IReadOnlyDictionary<string, string?> flags, IDictionary? environment = null)
    {
        var builder = NewBuilder();
        ControlPlane.Configure(builder, flags, environment);
        builder.Services.AddStore();
        builder.Services.AddSingleton<EdgeRouteTable>();
        return Build(builder, migrateStore: true);
    }

    /// <summary>The edge inside another process (<c>demiurge up</c>, tests), with its settings, store and route table.</summary>
    public static EdgeHost Create(IConfiguration configuration, IEdgeStore store, EdgeRouteTable table)
    {
        var builder = NewBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddOptions<DemiurgeOptions>().Bind(builder.Configuration.GetSection(DemiurgeOptions.SectionName));
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(table);
        return Build(builder, migrateStore: false);
    }

    /// <summary>Loads every route, then listens. The store is migrated first when this edge runs alone.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_migrateStore)
        {
            DataDirectory.Prepare(Options);
            await _app.Services.GetRequiredService<Database>().MigrateAsync(cancellationToken);
        }

        await _app.StartAsync(cancellationToken);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        HttpUrl = addresses.Single(a => a.Scheme == Uri.UriSchemeHttp);
        HttpsUrl = addresses.Single(a => a.Scheme == Uri.UriSchemeHttps);
    }

    /// <summary>The edge's folder under the data directory.</summary>
    public static string Folder(DemiurgeOptions options) => Path.Combine(Path.GetFullPath(options.DataDir), FolderName);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static WebApplicationBuilder NewBuilder()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ApplicationName = "demiurge" });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        return builder;
    }

    private static EdgeHost Build(WebApplicationBuilder builder, bool migrateStore)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(provider => LocalCertificateAuthority.LoadOrCreate(
            Folder(provider.GetRequiredService<IOptions<DemiurgeOptions>>().Value), provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<EdgeCertificateSelector>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<DemiurgeOptions>, EdgeCertificateSelector>((kestrel, options, certificates) =>
        {
            var edge = options.Value.Edge;
            var address = IPAddress.Parse(edge.ListenAddress);
            kestrel.AddServerHeader = false;
            // Bodies go to the gateway, which applies its own limits.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(address, edge.HttpPort);
            kestrel.Listen(address, edge.HttpsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, name) => certificates.Select(name));
            });
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblems.Customize);
        builder.Services.AddHttpForwarder();
        // For ITransformBuilder (the X-Forwarded and Host transforms); no YARP routes are configured.
        builder.Services.AddReverseProxy();
        builder.Services.AddSingleton<EdgeProxy>();
        builder.Services.AddHostedService<EdgeRouteWatcher>();

        var app = builder.Build();
        var proxy = app.Services.GetRequiredService<EdgeProxy>();
        app.Map("/{**catch-all}", proxy.ForwardAsync);
        return new EdgeHost(app, migrateStore);
    }
}
