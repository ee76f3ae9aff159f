using System.Security.Cryptography;
using Demiurge.Protocol;
using Demiurge.Security;

namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// A control-plane signing key for workers started by tests without a real control plane: the
/// worker gets <see cref="Keys"/>, and the tests sign their control-plane calls with <see cref="SignAsync"/>.
/// </summary>
internal static class TestSigningKey
{
    public const string KeyId = "test-signing-key";

    private static readonly ECDsa s_key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The private half, for tests that forge variations of a signature.</summary>
    public static ECDsa Private => s_key;

    /// <summary>The public half, as <see cref="ControlPlaneKeys.Parse"/> returns it.</summary>
    public static IReadOnlyDictionary<string, ECDsa> Keys { get; } = ControlPlaneKeys.Parse(Variable, out _)!;

    /// <summary>The value of <see cref="Demiurge.Protocol.WorkerEnvironment.ControlPlaneKeys"/> for a worker process.</summary>
    public static string Variable => ControlPlaneKeys.Format([(KeyId, s_key.ExportSubjectPublicKeyInfo())]);

    /// <summary>Adds a <see cref="Demiurge.Protocol.GatewayHeaders.Signature"/> for worker <paramref name="gatewayId"/> to <paramref name="request"/>, at <paramref name="now"/>.</summary>
    public static async Task<HttpRequestMessage> SignAsync(HttpRequestMessage request, string gatewayId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync();
        var controlPlanes = request.Headers.TryGetValues(Demiurge.Protocol.GatewayHeaders.ControlPlanes, out var values) ? string.Join(", ", values) : null;
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.PathAndQuery : request.RequestUri.OriginalString;
        request.Headers.Add(Demiurge.Protocol.GatewayHeaders.Signature, ControlPlaneSignature.Sign(s_key, KeyId, gatewayId, request.Method.Method, path, now, body, controlPlanes));
        return request;
    }
}
