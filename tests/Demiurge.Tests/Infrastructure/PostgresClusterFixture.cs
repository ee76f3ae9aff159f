namespace Demiurge.Tests.Infrastructure;

/// <summary>A PostgreSQL cluster of the test class's own, started before its first test and stopped after its last.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await PostgresServer.StartAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
