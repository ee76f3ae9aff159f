using System.Collections;
using System.Net;
using Demiurge.ApiKeys;
using Demiurge.Coordination;
using Demiurge.Dns;
using Demiurge.Edge;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Projects;
using Demiurge.Runtime;
using Demiurge.Security;
using Demiurge.Store;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Demiurge.Hosting;

/// <summary>
/// The control-plane web application: the API on a loopback port, over the store.
/// <c>demiurge up</c>, <c>demiurge controlplane</c> and the tests all start it through here.
/// </summary>
internal sealed class ControlPlane : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ControlPlane(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public DemiurgeOptions Options => _app.Services.GetRequiredService<IOptions<DemiurgeOptions>>().Value;

    /// <summary>The API's address, known once started (the port may have been 0).</summary>
    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>
    /// Builds the application. <paramref name="flags"/> are the command line's values by
    /// configuration key; they override <c>DEMIURGE_*</c> variables, which override appsettings.json.
    /// </summary>
    /// <exception cref="ConfigurationException">Some settings are invalid; every problem is listed.</exception>
    /// <param name="flags">The command line's values by configuration key.</param>
    /// <param name="environment">The environment to read <c>DEMIURGE_*</c> from; the process's when null.</param>
    /// <param name="overrides">Registers services before the defaults (which use TryAdd), e.g. a DNS provider that fails on purpose in tests.</param>
    /// <param name="role">What the process serves besides the API; the API alone when null.</param>
    public static ControlPlane Create(IReadOnlyDictionary<string, string?> flags, IDictionary? environment = null, Action<IServiceCollection>? overrides = null, ControlPlaneRole? role = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ApplicationName = "demiurge" });
        Configure(builder, flags, environment);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<DemiurgeOptions>>((kestrel, options) =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Value.ApiPort);
            kestrel.Limits.MaxRequestBodySize = ApiExtensions.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton(role ?? ControlPlaneRole.ApiOnly);
        overrides?.Invoke(builder.Services);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddObservability();
        builder.Services.AddApi();
        builder.Services.AddRateLimits();
        builder.Services.AddStore();
        builder.Services.AddIdentity();
        builder.Services.AddApiKeys();
        builder.Services.AddRuntime();
        builder.Services.AddEdge();
        builder.Services.AddDns();
        builder.Services.AddGateways();
        builder.Services.AddSecurity();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestIdHeader();
        app.UseAuthentication();
        app.UseRefusedWriteAudit();
        // After authentication, which tells token holders from anonymous callers.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseApiKeyScopes();
        app.MapOperationsEndpoints();
        app.MapUserEndpoints();
        app.MapApiKeyEndpoints();
        app.MapOrganizationEndpoints();
        app.MapProjectEndpoints();
        app.MapEventEndpoints();
        app.MapGatewayEndpoints();
        app.MapEdgeEndpoints();
        app.MapControlPlaneEndpoints();
        app.MapSecretEndpoints();
        return new ControlPlane(app);
    }

    /// <summary>
    /// Adds the settings to <paramref name="builder"/> (appsettings.json, then <c>DEMIURGE_*</c>,
    /// then <paramref name="flags"/>), validates them, and registers <see cref="DemiurgeOptions"/>.
    /// Shared with the roles that run without the API, such as <c>demiurge dns</c>.
    /// </summary>
    /// <exception cref="ConfigurationException">Some settings are invalid; every problem is listed.</exception>
    public static void Configure(IHostApplicationBuilder builder, IReadOnlyDictionary<string, string?> flags, IDictionary? environment)
    {
        builder.Configuration.AddInMemoryCollection(Settings.FromEnvironment(Settings.ControlPlane, environment ?? Environment.GetEnvironmentVariables()));
        builder.Configuration.AddInMemoryCollection(flags);
        // Validate before building (Kestrel reads the options while the application is built),
        // and list every problem at once: values of the wrong type are left out of the check
        // of the rest rather than stopping it.
        var section = builder.Configuration.GetSection(DemiurgeOptions.SectionName);
        var typeErrors = Settings.TypeErrors(Settings.ControlPlane, builder.Configuration);
        var typed = new ConfigurationBuilder()
            .AddConfiguration(builder.Configuration)
            .AddInMemoryCollection(typeErrors.Select(e => KeyValuePair.Create(e.Setting.ConfigurationKey, (string?)null)))
            .Build();
        var validation = new DemiurgeOptionsValidator().Validate(null, typed.GetSection(DemiurgeOptions.SectionName).Get<DemiurgeOptions>() ?? new DemiurgeOptions());
        var errors = typeErrors.Select(e => e.Error).Concat(validation.Failed ? validation.Failures : []).ToList();
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        builder.Services.AddOptions<DemiurgeOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DemiurgeOptions>, DemiurgeOptionsValidator>();
    }

    /// <summary>
    /// Validates the options, migrates the store, makes sure the admin exists and starts
    /// listening. Returns the admin token when it was generated by this start.
    /// </summary>
    public async Task<string?> StartAsync(CancellationToken cancellationToken)
    {
        DataDirectory.Prepare(Options);
        await _app.Services.GetRequiredService<IStore>().MigrateAsync(cancellationToken);
        await _app.Services.GetRequiredService<KeyRing>().LoadAsync(cancellationToken);
        var generatedToken = await _app.Services.GetRequiredService<AdminBootstrap>().EnsureAdminAsync(cancellationToken);
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ApiUrl = new Uri(address);
        return generatedToken;
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
