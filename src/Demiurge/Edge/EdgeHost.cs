using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Demiurge.Edge;

/// <summary>
/// The embedded edge's web server: its own Kestrel listeners (plain HTTP, and TLS with a
/// certificate chosen by SNI: one per organization) and one forwarding endpoint, apart from the API's
/// pipeline. <see cref="EmbeddedEdgeService"/> runs it in the process of the role that serves the
/// edge: <c>demiurge up</c>, sharing the route table the allocation saga writes to, or <c>demiurge edge</c>.
/// </summary>
internal sealed class EdgeHost : IAsyncDisposable
{
    /// <summary>The folder under the data directory that holds the local certificate authority.</summary>
    public const string FolderName = "edge";

    private readonly WebApplication _app;

    private EdgeHost(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public PlatformOptions Options => _app.Services.GetRequiredService<IOptions<PlatformOptions>>().Value;

    /// <summary>The plain HTTP listener's address, known once started (the port may have been 0).</summary>
    public Uri HttpUrl { get; private set; } = null!;

    /// <summary>The TLS listener's address, known once started.</summary>
    public Uri HttpsUrl { get; private set; } = null!;

    /// <summary>The local certificate authority's certificate, the file operators trust.</summary>
    public string CertificateAuthorityPath => CertificateAuthorityFile(Options.DataDir);

    /// <summary>The edge inside its role's process, with that role's settings, store and route table.</summary>
    public static EdgeHost Create(IConfiguration configuration, IEdgeStore store, EdgeRouteTable table)
    {
        var builder = RoleHost.CreateWebBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.AddDemiurgeLogging();
        builder.Services.AddSection<PlatformOptions>(builder.Configuration).AddSection<EdgeOptions>(builder.Configuration, EdgeOptions.SectionName);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(table);
        return Build(builder);
    }

    /// <summary>Loads every route, then listens.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        HttpUrl = addresses.Single(a => a.Scheme == Uri.UriSchemeHttp);
        HttpsUrl = addresses.Single(a => a.Scheme == Uri.UriSchemeHttps);
    }

    /// <summary>The edge's folder under the data directory.</summary>
    public static string Folder(string dataDir) => Path.Combine(Path.GetFullPath(dataDir), FolderName);

    /// <summary>The local CA's certificate in <paramref name="dataDir"/>: the one file there that others may read.</summary>
    public static string CertificateAuthorityFile(string dataDir) => Path.Combine(Folder(dataDir), LocalCertificateAuthority.CertificateFileName);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static EdgeHost Build(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(provider => LocalCertificateAuthority.LoadOrCreate(
            Folder(provider.GetRequiredService<IOptions<PlatformOptions>>().Value.DataDir), provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<EdgeCertificateSelector>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<EdgeOptions>, EdgeCertificateSelector>((kestrel, options, certificates) =>
        {
            var edge = options.Value;
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
        return new EdgeHost(app);
    }
}
