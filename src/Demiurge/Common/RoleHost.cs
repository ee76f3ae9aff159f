using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Demiurge.Common;

/// <summary>
/// The process of one role (<c>up</c>, <c>controlplane</c>, <c>edge</c>, <c>dns</c>, <c>gateway</c>):
/// a host composed of the same registration extensions (<c>Hosting.RoleExtensions</c>), started and
/// stopped the same way.
/// </summary>
internal sealed class RoleHost(IHost host) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    /// <summary>The addresses the role's own HTTP server listens on, once started; none for a role without one.</summary>
    public IReadOnlyList<Uri> Urls =>
        Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).ToList() ?? [];

    /// <summary>A builder for a role that serves HTTP itself.</summary>
    public static WebApplicationBuilder CreateWebBuilder() =>
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ApplicationName = "demiurge" });

    /// <summary>A builder for a role whose listeners are its own (DNS) or an embedded host's (the edge).</summary>
    public static HostApplicationBuilder CreateBuilder() =>
        Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "demiurge" });

    /// <summary>Runs every <see cref="IStartupStep"/> in registration order, then starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var step in Services.GetServices<IStartupStep>())
        {
            await step.RunAsync(cancellationToken);
        }

        await host.StartAsync(cancellationToken);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => host.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => host.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (host is IAsyncDisposable asynchronous)
        {
            await asynchronous.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
