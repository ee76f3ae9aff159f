namespace Demiurge.Store;

/// <summary>Where state lives (section <c>Demiurge:Store</c>).</summary>
public sealed class StoreOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (a file in the data directory) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>Npgsql connection string, for <c>postgres</c>.</summary>
    public string? PostgresConnectionString { get; set; }
}
