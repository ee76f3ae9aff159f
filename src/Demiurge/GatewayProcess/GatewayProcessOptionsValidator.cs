using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// Collects every problem with a worker's settings. The checks are also used one by one by
/// <c>demiurge gateway</c>, which names each flag as it was given.
/// </summary>
internal sealed class GatewayProcessOptionsValidator : IValidateOptions<GatewayProcessOptions>
{
    public const int MaxGatewayIdLength = 128;
    public const int MaxTokenLength = 1024;

    public ValidateOptionsResult Validate(string? name, GatewayProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new[]
        {
            ControlPlaneError(options.ControlPlane),
            PortError(options.Port),
            GatewayIdError(options.GatewayId),
            TokenError(options.GatewayToken),
            options.ControlPlaneKeys is { Count: > 0 } ? null : $"{WorkerEnvironment.ControlPlaneKeys} must list the control planes' public keys.",
            InactivityTimeoutError(options.InactivityTimeout),
            PositiveError(WorkerFlags.AutosaveInterval, options.AutosaveInterval),
            PositiveError(WorkerFlags.OAuthCleanupInterval, options.OAuthCleanupInterval),
            PositiveError(nameof(options.RequestTimeout), options.RequestTimeout),
            PositiveError(nameof(options.ShutdownPushTimeout), options.ShutdownPushTimeout),
            PositiveError(nameof(options.ReadyRetryInitialDelay), options.ReadyRetryInitialDelay),
            PositiveError(nameof(options.ReadyRetryMaxDelay), options.ReadyRetryMaxDelay),
            PositiveError(nameof(options.ReleaseRetryDelay), options.ReleaseRetryDelay),
        }.OfType<string>().Concat(options.RoomLimits.Errors()).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static string? ControlPlaneError(Uri? url) =>
        url is { IsAbsoluteUri: true, Scheme: "http" or "https" } && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.Fragment)
            ? null
            : $"{WorkerFlags.ControlPlane} '{url}' is not an http(s) URL (such as http://127.0.0.1:5080).";

    public static string? PortError(int port) =>
        port is >= 0 and <= 65535 ? null : $"{WorkerFlags.Port} must be between 0 and 65535, not {port}.";

    public static string? GatewayIdError(string? gatewayId) =>
        !string.IsNullOrEmpty(gatewayId) && gatewayId.Length <= MaxGatewayIdLength
            && gatewayId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : $"{WorkerFlags.GatewayId} is required: 1 to {MaxGatewayIdLength} letters, digits, '-', '_' or '.'.";

    /// <summary>The token itself never appears in the message: it is a secret.</summary>
    public static string? TokenError(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return $"{WorkerEnvironment.GatewayToken} must be set to the gateway token (it is never taken from the command line).";
        }

        // It travels in an Authorization header: printable ASCII, no spaces.
        return token.Length <= MaxTokenLength && token.All(c => c is > ' ' and < (char)127)
            ? null
            : $"{WorkerEnvironment.GatewayToken} must be at most {MaxTokenLength} printable ASCII characters with no white space.";
    }

    public static string? InactivityTimeoutError(TimeSpan? timeout) =>
        timeout is null || timeout > TimeSpan.Zero
            ? null
            : $"{WorkerFlags.InactivityTimeout} must be longer than zero, or {Durations.Off}.";

    public static string? PositiveError(string name, TimeSpan value) =>
        value > TimeSpan.Zero ? null : $"{name} must be longer than zero.";
}
