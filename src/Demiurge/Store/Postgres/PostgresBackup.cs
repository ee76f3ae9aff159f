using System.Diagnostics;
using Demiurge.Store.Backups;
using Npgsql;

namespace Demiurge.Store.Postgres;

/// <summary>
/// Snapshots of the PostgreSQL store with <c>pg_dump</c> (one consistent snapshot, taken while the
/// platform writes), restored with <c>psql</c> in one transaction. Both come with the PostgreSQL
/// client; they are looked for on the PATH, then in <c>/usr/lib/postgresql/*/bin</c>.
/// </summary>
internal static class PostgresBackup
{
    /// <summary>Dumps the database as plain SQL into <paramref name="destination"/>.</summary>
    public static Task DumpAsync(string connectionString, string destination, CancellationToken cancellationToken) =>
        RunAsync("pg_dump", ["--format=plain", "--no-owner", "--no-privileges", "--file", destination], connectionString, cancellationToken);

    /// <summary>
    /// Drops <paramref name="dropSchemas"/> with everything in them and runs the dump in
    /// <paramref name="file"/>, in one transaction: all or nothing.
    /// </summary>
    public static Task RestoreAsync(string connectionString, string file, IReadOnlyList<string> dropSchemas, CancellationToken cancellationToken)
    {
        List<string> arguments = ["--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1", "--output", "/dev/null"];
        if (dropSchemas.Count > 0)
        {
            arguments.AddRange(["--command", string.Concat(dropSchemas.Select(s => $"DROP SCHEMA \"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\" CASCADE; ")) + "CREATE SCHEMA IF NOT EXISTS public;"]);
        }

        arguments.AddRange(["--file", file]);
        return RunAsync("psql", arguments, connectionString, cancellationToken);
    }

    /// <summary>The database's own schemas that hold anything (tables, sequences, views, ...).</summary>
    public static async Task<IReadOnlyList<string>> NonEmptySchemasAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(connectionString, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT DISTINCT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
            ORDER BY 1
            """;
        var schemas = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            schemas.Add(reader.GetString(0));
        }

        return schemas;
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (NpgsqlException exception)
        {
            await connection.DisposeAsync();
            throw new BackupException($"Cannot connect to PostgreSQL: {exception.Message}");
        }
    }

    /// <summary>Runs a PostgreSQL client tool with the connection in PG* variables, so no password shows in the process list.</summary>
    private static async Task RunAsync(string tool, IReadOnlyList<string> arguments, string connectionString, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(FindTool(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in Environment(new NpgsqlConnectionStringBuilder(connectionString)))
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new BackupException($"Could not start {tool}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await output;
        if (process.ExitCode != 0)
        {
            throw new BackupException($"{tool} failed with exit code {process.ExitCode}: {(await error).Trim()}");
        }
    }

    private static IEnumerable<(string Key, string Value)> Environment(NpgsqlConnectionStringBuilder connection)
    {
        if (connection.Host is { } host)
        {
            yield return ("PGHOST", host);
        }

        yield return ("PGPORT", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (connection.Username is { } user)
        {
            yield return ("PGUSER", user);
        }

        if (connection.Password is { } password)
        {
            yield return ("PGPASSWORD", password);
        }

        if (connection.Database is { } database)
        {
            yield return ("PGDATABASE", database);
        }

        yield return ("PGSSLMODE", connection.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        });
        yield return ("PGAPPNAME", "demiurge");
    }

    private static string FindTool(string tool)
    {
        var onPath = (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool));
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin", tool))
            : [];
        return onPath.Concat(installed).FirstOrDefault(File.Exists)
            ?? throw new BackupException($"{tool} was not found on the PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL client (Debian: postgresql-client).");
    }
}
