using System.Net;
using Demiurge.GatewayProcess.Containers;
using Demiurge.GatewayProcess.OAuth;
using Demiurge.GatewayProcess.Rooms;
using Demiurge.GatewayProcess.Routing;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;

namespace Demiurge.GatewayProcess;

/// <summary>
/// One gateway worker as a web application on a loopback port, composed like every role
/// (<see cref="RoleHost"/>). <c>demiurge gateway</c> runs one per process; a pool manager or a
/// test can start several in its own process.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>
    /// Largest request body. Larger than the API's: a body here carries a whole project document,
    /// and the control plane accepts pushes far bigger than its other bodies.
    /// </summary>
    public const long MaxRequestBodyBytes = 4 * 1024 * 1024;

    /// <summary>The gateway's own OpenAPI document, as the control plane serves its own.</summary>
    public const string OpenApiPath = "/openapi/{documentName}.json";

    private const string OpenApiDocument = "v1";

    private GatewayHost(RoleHost host) => Host = host;

    public RoleHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public GatewayProcessOptions Options => Services.GetRequiredService<IOptions<GatewayProcessOptions>>().Value;

    public GatewayWorker Worker => Services.GetRequiredService<GatewayWorker>();

    /// <summary>The gateway's address, known once started (the port may have been 0).</summary>
    public Uri Url => Host.Urls[0];

    /// <summary>
    /// Builds a worker. <paramref name="time"/> drives autosave, inactivity and retries (tests pass a
    /// fake one); <paramref name="configuration"/> adds settings such as log levels.
    /// </summary>
    /// <exception cref="ConfigurationException">Some options are invalid; every problem is listed.</exception>
    public static GatewayHost Create(GatewayProcessOptions options, TimeProvider? time = null, IEnumerable<KeyValuePair<string, string?>>? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new GatewayProcessOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ConfigurationException([.. validation.Failures]);
        }

        var builder = RoleHost.CreateWebBuilder();
        // No lines per request: ASP.NET Core's four (request, endpoint) and YARP's two for every
        // request stage 2 forwards. The leader pings every worker every few seconds, so they
        // filled a worker's log file with pings, and they cost a quarter of a forwarded request
        // (docs/benchmarks.md, "Stage 2"). Warnings still show. Defaults only: any other source
        // (appsettings, DEMIURGE_/Logging__ variables, configuration below) can raise them again.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"), new("Logging:LogLevel:Yarp", "Warning")],
        });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        builder.Services.AddOptions<KestrelServerOptions>().Configure(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.AddDemiurgeLogging().AddMetrics();
        builder.Services.AddApi();
        builder.Services.Configure<OpenApiOptions>(OpenApiDocument, openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Demiurge gateway";
            document.Info.Description = "An organization's gateway, under its name: project documents, containers and the OAuth provider.";
            return Task.CompletedTask;
        }));
        builder.Services.AddGatewayProcess(options);

        var app = builder.Build();
        app.UseExceptionHandler();
        // Stage 2 first: a container's response goes back exactly as the container wrote it,
        // untouched by the status-code pages and request-id header of the gateway's own API.
        app.UseMiddleware<ContainerRoutingMiddleware>();
        app.UseStatusCodePages();
        app.UseRequestIdHeader();
        app.UseWebSockets();
        app.UseRouting();
        app.Use(ControlPlaneAuthentication.RequireAsync);
        app.UseMiddleware<OversizedBodyMiddleware>(MaxRequestBodyBytes);
        app.MapGatewayProcessEndpoints();
        app.MapOAuthEndpoints();
        app.MapContainerEndpoints();
        app.MapContainerRouteEndpoints();
        app.MapRoomEndpoints();
        // Under the organization's name too: it documents the organization's API.
        app.MapOpenApi(OpenApiPath);
        return new GatewayHost(new RoleHost(app));
    }

    /// <summary>Starts listening; the worker then announces itself ready to the control plane.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Host.StartAsync(cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => Host.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops serving; when serving an organization, pushes what is unsaved first.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Host.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
