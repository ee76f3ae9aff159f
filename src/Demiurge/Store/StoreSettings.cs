using Npgsql;

namespace Demiurge.Store;

/// <summary>The store's rows of the settings table, and their validation.</summary>
internal static class StoreSettings
{
    public static readonly Setting Provider = new("Store:Provider", typeof(string), "Store: sqlite or postgres.", Name: "Store");
    public static readonly Setting Postgres = new("Store:PostgresConnectionString", typeof(string), "PostgreSQL connection string, for --store postgres.", Name: "Postgres");

    public static readonly IReadOnlyList<Setting> All = [Provider, Postgres];

    public static void Validate(StoreOptions options, List<string> errors)
    {
        if (options.Provider is not (StoreOptions.Sqlite or StoreOptions.Postgres))
        {
            errors.Add($"{Provider.Describe()} '{options.Provider}' is not one of {StoreOptions.Sqlite}, {StoreOptions.Postgres}.");
        }
        else if (options.Provider == StoreOptions.Postgres && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            errors.Add($"{Postgres.Describe()} is required with {Provider.Flag} {StoreOptions.Postgres}.");
        }
        else if (options.Provider == StoreOptions.Postgres && !IsConnectionString(options.PostgresConnectionString!))
        {
            // Not echoed: a connection string usually carries a password.
            errors.Add($"{Postgres.Describe()} is not a valid Npgsql connection string (Host=...;Username=...;Database=...).");
        }
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
