using System.Net;
using System.Net.Sockets;
using Demiurge.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Cli;

/// <summary><c>demiurge probe</c>, the gateway container's health check, against a real loopback server.</summary>
public sealed class ProbeCommandTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private string _address = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/ok", () => "pong");
        _server.MapGet("/broken", () => Results.StatusCode(503));
        await _server.StartAsync();
        _address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    [Fact]
    public async Task Probe_Answers2xx_ExitsZero() =>
        (await CliResult.RunAsync("probe", _address + "/ok")).AssertExitCode(ExitCodes.Success);

    [Fact]
    public async Task Probe_Answers503_ExitsOneAndSaysWhy()
    {
        var result = (await CliResult.RunAsync("probe", _address + "/broken")).AssertExitCode(ExitCodes.Failed);

        Assert.Contains("503", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NothingListens_ExitsOne()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        (await CliResult.RunAsync("probe", $"http://127.0.0.1:{port}/collab/ping")).AssertExitCode(ExitCodes.Failed);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/x")]
    public async Task Probe_NotAnHttpUrl_IsAUsageError(string url) =>
        (await CliResult.RunAsync("probe", url)).AssertExitCode(ExitCodes.Usage);

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }
}
