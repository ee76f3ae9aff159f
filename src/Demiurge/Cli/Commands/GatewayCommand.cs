using System.Collections;
using System.CommandLine;
using System.Globalization;
using Demiurge.GatewayProcess;
using Demiurge.GatewayProcess.Rooms;
using Demiurge.Hosting;
using Demiurge.Protocol;

namespace Demiurge.Cli.Commands;

/// <summary>
/// <c>demiurge gateway</c>: one gateway worker, serving one organization at a time until stopped.
/// The pool manager starts it; the gateway token comes from the environment only.
/// </summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        // Every value is read as text and checked here, so that one run lists every problem
        // (with exit code 78) instead of stopping at the parser's first.
        var controlPlane = new Option<string>(WorkerFlags.ControlPlane) { Description = "Control-plane URL, e.g. http://127.0.0.1:5080 (required)" };
        var port = new Option<string>(WorkerFlags.Port) { Description = "Loopback port to listen on (required; 0 picks a free one)" };
        var gatewayId = new Option<string>(WorkerFlags.GatewayId) { Description = "This worker's id in the pool (required)" };
        var inactivityTimeout = new Option<string>(WorkerFlags.InactivityTimeout)
        {
            Description = "Release an organization after this long without user activity, or off; the organization's own setting wins",
            DefaultValueFactory = _ => Durations.Format(GatewayProcessOptions.DefaultInactivityTimeout),
        };
        var autosaveInterval = new Option<string>(WorkerFlags.AutosaveInterval)
        {
            Description = "Push unsaved data this often; the organization's own setting wins",
            DefaultValueFactory = _ => Durations.Format(GatewayProcessOptions.DefaultAutosaveInterval),
        };
        var oauthCleanupInterval = new Option<string>(WorkerFlags.OAuthCleanupInterval)
        {
            Description = "Forget expired OAuth codes and tokens this often",
            DefaultValueFactory = _ => Durations.Format(GatewayProcessOptions.DefaultOAuthCleanupInterval),
        };
        var containerPorts = new Option<string>(WorkerFlags.ContainerPorts)
        {
            Description = "Loopback ports user containers may register as their endpoints, first-last",
            DefaultValueFactory = _ => GatewayProcessOptions.DefaultContainerPorts.ToString(),
        };
        var logFormat = new Option<string>(WorkerFlags.LogFormat) { Description = Settings.LogFormat.Description };
        var roomMessageMaxBytes = new Option<string>(WorkerFlags.RoomMessageMaxBytes)
        {
            Description = "Largest message a room client may send, in bytes",
            DefaultValueFactory = _ => RoomLimits.DefaultMessageMaxBytes.ToString(CultureInfo.InvariantCulture),
        };
        var roomUpdatesPerSecond = new Option<string>(WorkerFlags.RoomUpdatesPerSecond)
        {
            Description = "Document and awareness updates one room connection may send per second",
            DefaultValueFactory = _ => RoomLimits.DefaultUpdatesPerSecond.ToString(CultureInfo.InvariantCulture),
        };
        var roomConnections = new Option<string>(WorkerFlags.RoomConnections)
        {
            Description = "Clients connected to one project's room at once",
            DefaultValueFactory = _ => RoomLimits.DefaultConnectionsPerRoom.ToString(CultureInfo.InvariantCulture),
        };
        var rooms = new Option<string>(WorkerFlags.Rooms)
        {
            Description = "Rooms with clients on this gateway at once",
            DefaultValueFactory = _ => RoomLimits.DefaultRoomsPerGateway.ToString(CultureInfo.InvariantCulture),
        };
        var roomSaveDelay = new Option<string>(WorkerFlags.RoomSaveDelay)
        {
            Description = "Push a room's updates this long after its last change",
            DefaultValueFactory = _ => Durations.Format(RoomLimits.DefaultSaveDelay),
        };
        var roomSaveMaxDelay = new Option<string>(WorkerFlags.RoomSaveMaxDelay)
        {
            Description = "While edits go on, push a room's updates at the latest this long after the oldest",
            DefaultValueFactory = _ => Durations.Format(RoomLimits.DefaultSaveMaxDelay),
        };
        var roomIdleUnload = new Option<string>(WorkerFlags.RoomIdleUnload)
        {
            Description = "Unload a room with no client and nothing unsaved after this long idle",
            DefaultValueFactory = _ => Durations.Format(RoomLimits.DefaultIdleUnload),
        };
        var command = new Command("gateway", $"Run one gateway worker until SIGTERM or Ctrl-C. The gateway token is read from {Protocol.WorkerEnvironment.GatewayToken}.")
        {
            controlPlane, port, gatewayId, inactivityTimeout, autosaveInterval, oauthCleanupInterval, containerPorts, logFormat,
            roomMessageMaxBytes, roomUpdatesPerSecond, roomConnections, rooms, roomSaveDelay, roomSaveMaxDelay, roomIdleUnload,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var arguments = new GatewayArguments(
                parseResult.GetValue(controlPlane), parseResult.GetValue(port), parseResult.GetValue(gatewayId),
                parseResult.GetValue(inactivityTimeout), parseResult.GetValue(autosaveInterval), parseResult.GetValue(oauthCleanupInterval),
                parseResult.GetValue(containerPorts), parseResult.GetValue(logFormat), parseResult.GetValue(roomMessageMaxBytes), parseResult.GetValue(roomUpdatesPerSecond),
                parseResult.GetValue(roomConnections), parseResult.GetValue(rooms),
                parseResult.GetValue(roomSaveDelay), parseResult.GetValue(roomSaveMaxDelay), parseResult.GetValue(roomIdleUnload));
            return RunAsync(arguments, Environment.GetEnvironmentVariables(), parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Turns the command line and the environment into options.</summary>
    /// <exception cref="ConfigurationException">Something is missing or invalid; every problem is listed.</exception>
    public static GatewayProcessOptions ParseOptions(GatewayArguments arguments, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new List<string>();

        Uri? controlPlane = null;
        if (string.IsNullOrEmpty(arguments.ControlPlane))
        {
            errors.Add($"{WorkerFlags.ControlPlane} is required: the control plane's URL.");
        }
        else if (!Uri.TryCreate(arguments.ControlPlane, UriKind.Absolute, out controlPlane) || GatewayProcessOptionsValidator.ControlPlaneError(controlPlane) is not null)
        {
            errors.Add($"{WorkerFlags.ControlPlane} '{arguments.ControlPlane}' is not an http(s) URL (such as http://127.0.0.1:5080).");
        }

        var port = 0;
        if (string.IsNullOrEmpty(arguments.Port))
        {
            errors.Add($"{WorkerFlags.Port} is required: the loopback port to listen on.");
        }
        else if (!int.TryParse(arguments.Port, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            errors.Add($"{WorkerFlags.Port} '{arguments.Port}' is not a whole number.");
        }
        else
        {
            Add(errors, GatewayProcessOptionsValidator.PortError(port));
        }

        Add(errors, GatewayProcessOptionsValidator.GatewayIdError(arguments.GatewayId));

        var inactivity = ParseDuration(WorkerFlags.InactivityTimeout, arguments.InactivityTimeout, allowOff: true, errors);
        var autosave = ParseDuration(WorkerFlags.AutosaveInterval, arguments.AutosaveInterval, allowOff: false, errors);
        var oauthCleanup = ParseDuration(WorkerFlags.OAuthCleanupInterval,
            arguments.OAuthCleanupInterval ?? Durations.Format(GatewayProcessOptions.DefaultOAuthCleanupInterval), allowOff: false, errors);

        var containerPorts = GatewayProcessOptions.DefaultContainerPorts;
        if (arguments.ContainerPorts is not null && !PortRange.TryParse(arguments.ContainerPorts, out containerPorts))
        {
            errors.Add($"{WorkerFlags.ContainerPorts} '{arguments.ContainerPorts}' is not a port range such as {GatewayProcessOptions.DefaultContainerPorts}.");
        }

        if (arguments.LogFormat is not (null or ConsoleLogging.Text or ConsoleLogging.Json))
        {
            errors.Add($"{WorkerFlags.LogFormat} '{arguments.LogFormat}' is not one of {ConsoleLogging.Text}, {ConsoleLogging.Json}.");
        }

        var roomLimits = new RoomLimits
        {
            MessageMaxBytes = ParseCount(WorkerFlags.RoomMessageMaxBytes, arguments.RoomMessageMaxBytes, RoomLimits.DefaultMessageMaxBytes, errors),
            UpdatesPerSecond = ParseCount(WorkerFlags.RoomUpdatesPerSecond, arguments.RoomUpdatesPerSecond, RoomLimits.DefaultUpdatesPerSecond, errors),
            ConnectionsPerRoom = ParseCount(WorkerFlags.RoomConnections, arguments.RoomConnections, RoomLimits.DefaultConnectionsPerRoom, errors),
            RoomsPerGateway = ParseCount(WorkerFlags.Rooms, arguments.Rooms, RoomLimits.DefaultRoomsPerGateway, errors),
            SaveDelay = ParseRoomDuration(WorkerFlags.RoomSaveDelay, arguments.RoomSaveDelay, RoomLimits.DefaultSaveDelay, errors),
            SaveMaxDelay = ParseRoomDuration(WorkerFlags.RoomSaveMaxDelay, arguments.RoomSaveMaxDelay, RoomLimits.DefaultSaveMaxDelay, errors),
            IdleUnload = ParseRoomDuration(WorkerFlags.RoomIdleUnload, arguments.RoomIdleUnload, RoomLimits.DefaultIdleUnload, errors),
        };
        errors.AddRange(roomLimits.Errors());

        var token = environment[Protocol.WorkerEnvironment.GatewayToken] as string;
        Add(errors, GatewayProcessOptionsValidator.TokenError(token));
        var controlPlaneKeys = Security.ControlPlaneKeys.Parse(environment[Protocol.WorkerEnvironment.ControlPlaneKeys] as string, out var keysError);
        Add(errors, keysError);

        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        return new GatewayProcessOptions
        {
            ControlPlane = controlPlane!,
            Port = port,
            GatewayId = arguments.GatewayId!,
            GatewayToken = token!,
            ControlPlaneKeys = controlPlaneKeys!,
            InactivityTimeout = inactivity,
            AutosaveInterval = autosave ?? GatewayProcessOptions.DefaultAutosaveInterval,
            OAuthCleanupInterval = oauthCleanup ?? GatewayProcessOptions.DefaultOAuthCleanupInterval,
            ContainerPorts = containerPorts,
            RoomLimits = roomLimits,
        };
    }

    /// <summary>A whole number of a <c>--room*</c> flag; its default when absent. An invalid one is listed and left at the default, which the limits' own check passes.</summary>
    private static int ParseCount(string flag, string? text, int defaultValue, List<string> errors)
    {
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add($"{flag} '{text}' is not a whole number.");
            return defaultValue;
        }

        return value;
    }

    /// <summary>A duration of a <c>--room-*</c> flag; its default when absent or invalid (listed).</summary>
    private static TimeSpan ParseRoomDuration(string flag, string? text, TimeSpan defaultValue, List<string> errors) =>
        text is null ? defaultValue : ParseDuration(flag, text, allowOff: false, errors) ?? defaultValue;

    private static TimeSpan? ParseDuration(string flag, string? text, bool allowOff, List<string> errors)
    {
        var offHint = allowOff ? $", or {Durations.Off}" : string.Empty;
        if (!Durations.TryParse(text, out var duration) || (duration is null && !allowOff))
        {
            errors.Add($"{flag} '{text}' is not a duration: use {Durations.Syntax}{offHint}.");
            return null;
        }

        if (duration == TimeSpan.Zero)
        {
            errors.Add($"{flag} must be longer than zero{offHint}.");
            return null;
        }

        return duration;
    }

    private static void Add(List<string> errors, string? error)
    {
        if (error is not null)
        {
            errors.Add(error);
        }
    }

    private static Task<int> RunAsync(GatewayArguments arguments, IDictionary environment, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RoleRunner.RunAsync($"Demiurge gateway {arguments.GatewayId}", () => GatewayHost.Create(ParseOptions(arguments, environment), configuration: Configuration(arguments)).Host,
            Summary, output, error, cancellationToken);

    /// <summary>The settings of the worker's host its flags give: the console's format, as every role takes it.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Configuration(GatewayArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.LogFormat is null ? [] : [new(Settings.LogFormat.ConfigurationKey, arguments.LogFormat)];
    }

    private static string Summary(RoleHost host)
    {
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayProcessOptions>>().Value;
        return $"""
              Listening:           {host.Urls[0].ToString().TrimEnd('/')}
              Control plane:       {options.ControlPlane.ToString().TrimEnd('/')}
              Inactivity timeout:  {Durations.Format(options.InactivityTimeout)}
              Autosave interval:   {Durations.Format(options.AutosaveInterval)}
              OAuth cleanup:       {Durations.Format(options.OAuthCleanupInterval)}
              Container ports:     {options.ContainerPorts}
              Room limits:         {options.RoomLimits.MessageMaxBytes} bytes a message, {options.RoomLimits.UpdatesPerSecond} updates/s a client, {options.RoomLimits.ConnectionsPerRoom} clients a room, {options.RoomLimits.RoomsPerGateway} rooms
              Room saves:          {Durations.Format(options.RoomLimits.SaveDelay)} after the last change, at most {Durations.Format(options.RoomLimits.SaveMaxDelay)} while edits go on; idle rooms unloaded after {Durations.Format(options.RoomLimits.IdleUnload)}
            """;
    }
}
