namespace Demiurge.Hosting;

/// <summary>Collects every problem with the settings, so that one failed start lists them all.</summary>
internal sealed class DemiurgeOptionsValidator : IValidateOptions<DemiurgeOptions>
{
    /// <summary>Room left in a 253-character name for <c>uc-{uuid}.org-{uuid}.</c> in front of the domain.</summary>
    internal const int MaxDomainLength = 253 - 81;

    internal const int MinAdminTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, DemiurgeOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add($"{Settings.DataDir.Describe()} must not be empty.");
        }

        Settings.ApiPort.ValidatePort(options.ApiPort, errors);

        if (DomainNameError(options.Domain) is { } domainError)
        {
            errors.Add($"{Settings.Domain.Describe()} '{options.Domain}' {domainError}");
        }

        if (options.AdminToken is { } token && (token.Length < MinAdminTokenLength || token.Any(char.IsWhiteSpace)))
        {
            errors.Add($"{Settings.AdminToken.Describe()} must be at least {MinAdminTokenLength} characters with no white space.");
        }

        if (options.AdvertiseUrl is { } advertised
            && !(Uri.TryCreate(advertised, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.PathAndQuery == "/" && string.IsNullOrEmpty(url.Fragment)))
        {
            errors.Add($"{Settings.AdvertiseUrl.Describe()} '{advertised}' must be an http(s) URL with no path, such as http://10.0.0.5:5080.");
        }

        if (options.LogFormat is not (null or ConsoleLogging.Text or ConsoleLogging.Json))
        {
            errors.Add($"{Settings.LogFormat.Describe()} '{options.LogFormat}' is not one of {ConsoleLogging.Text}, {ConsoleLogging.Json}.");
        }

        RateLimits.Validate(options.RateLimit, errors);
        ValidatePool(options.Pool, errors);
        ValidateContainerPorts(options, errors);
        if (options.Gateway.InactivityTimeout is { } inactivity)
        {
            Settings.GatewayInactivityTimeout.ValidatePositive(inactivity, errors);
        }

        Settings.GatewayAutosaveInterval.ValidatePositive(options.Gateway.AutosaveInterval, errors);
        Settings.GatewayOAuthCleanupInterval.ValidatePositive(options.Gateway.OAuthCleanupInterval, errors);
        Settings.GatewayHandshakeTimeout.ValidatePositive(options.Gateway.HandshakeTimeout, errors);
        if (options.Gateway.OrganizationStorageQuota.Bytes <= 0)
        {
            errors.Add($"{Settings.GatewayOrganizationStorageQuota.Describe()} must be more than 0 bytes.");
        }

        if (options.Gateway.RoomMessageMaxBytes.Bytes is < 1024 or > int.MaxValue)
        {
            errors.Add($"{Settings.GatewayRoomMessageMaxBytes.Describe()} must be from 1KiB to 2GiB, not {options.Gateway.RoomMessageMaxBytes}.");
        }

        foreach (var (setting, value) in new[]
        {
            (Settings.GatewayRoomUpdatesPerSecond, options.Gateway.RoomUpdatesPerSecond), (Settings.GatewayRoomConnections, options.Gateway.RoomConnections), (Settings.GatewayRooms, options.Gateway.Rooms),
        })
        {
            if (value < 1)
            {
                errors.Add($"{setting.Describe()} must be at least 1, not {value}.");
            }
        }

        Settings.GatewayRoomSaveDelay.ValidatePositive(options.Gateway.RoomSaveDelay, errors);
        Settings.GatewayRoomSaveMaxDelay.ValidatePositive(options.Gateway.RoomSaveMaxDelay, errors);
        Settings.GatewayRoomIdleUnload.ValidatePositive(options.Gateway.RoomIdleUnload, errors);
        if (options.Gateway.RoomSaveMaxDelay < options.Gateway.RoomSaveDelay)
        {
            errors.Add($"{Settings.GatewayRoomSaveMaxDelay.Describe()} must not be shorter than {Settings.GatewayRoomSaveDelay.Describe()}.");
        }

        Store.StoreSettings.Validate(options.Store, errors);
        Edge.EdgeSettings.Validate(options.Edge, errors);
        Dns.DnsSettings.Validate(options.Dns, errors);
        Runtime.RuntimeSettings.Validate(options.Runtime, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidatePool(Gateways.PoolOptions pool, List<string> errors)
    {
        foreach (var (setting, value) in new[] { (Settings.PoolSize, pool.Size), (Settings.PoolMinReady, pool.MinReady), (Settings.PoolScaleStep, pool.ScaleStep), (Settings.PoolMax, pool.Max) })
        {
            if (value < 0)
            {
                errors.Add($"{setting.Describe()} must not be negative, not {value}.");
            }
        }

        if (pool.Size > pool.Max)
        {
            errors.Add($"{Settings.PoolSize.Describe()} ({pool.Size}) must not exceed {Settings.PoolMax.Describe()} ({pool.Max}).");
        }

        if (pool.MinReady > pool.Max)
        {
            errors.Add($"{Settings.PoolMinReady.Describe()} ({pool.MinReady}) must not exceed {Settings.PoolMax.Describe()} ({pool.Max}).");
        }

        if (pool.Ports.Last - pool.Ports.First + 1 < pool.Max)
        {
            errors.Add($"{Settings.PoolPorts.Describe()} '{pool.Ports}' holds fewer ports than {Settings.PoolMax.Describe()} ({pool.Max}).");
        }

        Settings.PoolCheckInterval.ValidatePositive(pool.CheckInterval, errors);
        Settings.PoolReconcileInterval.ValidatePositive(pool.ReconcileInterval, errors);
    }

    /// <summary>The container ports must be free of the platform's own listeners that this control plane knows.</summary>
    private static void ValidateContainerPorts(DemiurgeOptions options, List<string> errors)
    {
        var pool = options.Pool;
        var containerPorts = options.Gateway.ContainerPorts;
        if (containerPorts.Overlaps(pool.Ports))
        {
            errors.Add($"{Settings.GatewayContainerPorts.Describe()} '{options.Gateway.ContainerPorts}' overlaps {Settings.PoolPorts.Describe()} '{pool.Ports}': containers could publish workers.");
        }

        if (containerPorts.Contains(options.ApiPort))
        {
            errors.Add($"{Settings.GatewayContainerPorts.Describe()} '{options.Gateway.ContainerPorts}' holds {Settings.ApiPort.Describe()} ({options.ApiPort}): containers could publish the API.");
        }
    }

    /// <summary>Why <paramref name="domain"/> is not a usable DNS suffix, or null when it is.</summary>
    internal static string? DomainNameError(string? domain)
    {
        if (string.IsNullOrEmpty(domain))
        {
            return "must not be empty.";
        }

        if (domain.Length > MaxDomainLength)
        {
            return $"is longer than {MaxDomainLength} characters, leaving no room for organization names.";
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63
                || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return "is not a DNS name: use lower-case labels of 1-63 letters, digits and inner hyphens, separated by dots.";
            }
        }

        return null;
    }
}
