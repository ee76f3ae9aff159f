using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;

namespace Demiurge.Common;

/// <summary>
/// The operator's console: one human-readable line per event on a terminal (time, level,
/// category, message; warnings and errors in colour), JSON lines for machines, that is with
/// <c>--log-format json</c> or when standard error is not a terminal. Logs always go to standard
/// error; standard output belongs to the command's own report (URLs, tokens).
/// </summary>
internal static class ConsoleLogging
{
    public const string Text = "text";
    public const string Json = "json";

    /// <summary>The setting that chooses the format.</summary>
    public static readonly Setting FormatSetting = new("LogFormat", typeof(string), $"Console log lines: {Text} (human-readable) or {Json} (default: {Text} on a terminal, {Json} otherwise).");

    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    /// <summary>The format a process logs in: <paramref name="configured"/>, else text on a terminal and JSON otherwise.</summary>
    public static string Resolve(string? configured) => configured ?? (Console.IsErrorRedirected ? Json : Text);

    /// <summary>
    /// The console logger in the format <c>Demiurge:LogFormat</c> names, by default
    /// <see cref="Text"/> on a terminal and <see cref="Json"/> otherwise.
    /// </summary>
    public static IHostApplicationBuilder AddDemiurgeLogging(this IHostApplicationBuilder builder)
    {
        var format = Resolve(builder.Configuration[FormatSetting.ConfigurationKey]);
        builder.Logging.ClearProviders();
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        // ASP.NET Core's request lines (Request starting/finished) and YARP's "Proxying to" carry the
        // whole URL with its query, and a room's URL may carry a user token (?token=, what
        // y-websocket's params send, docs/rooms.md). They are kept at warnings on every role: set
        // here, after the configuration's rules, a Logging:LogLevel key cannot raise them again.
        builder.Logging.AddFilter(UrlLoggingCategories.Hosting, LogLevel.Warning);
        builder.Logging.AddFilter(UrlLoggingCategories.Forwarder, LogLevel.Warning);
        if (format == Json)
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = TimestampFormat.TrimEnd();
            });
            return builder;
        }

        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = TimestampFormat;
        });
        // A person reads the summary the command prints; the host's own lines ("Now listening on",
        // "Application started", the content root) and Data Protection's key notes repeat or
        // bury it. Defaults only: any other source can raise them again.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning"), new("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Warning")],
        });
        return builder;
    }
}
