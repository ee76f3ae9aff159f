namespace Demiurge.Security;

/// <summary>
/// Signs every call the control plane makes to a gateway worker (the <c>gateways</c> HTTP
/// client): a request marked with <see cref="For"/> gets a <see cref="ControlPlaneSignature.Header"/>
/// for that worker, over its method, path, body and control-plane list.
/// </summary>
internal sealed class WorkerCallSigner(KeyRing ring) : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<string> s_gatewayId = new("Demiurge.GatewayId");

    /// <summary>Marks <paramref name="request"/> as a call to worker <paramref name="gatewayId"/>, to be signed.</summary>
    public static HttpRequestMessage For(HttpRequestMessage request, string gatewayId)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(s_gatewayId, gatewayId);
        return request;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(s_gatewayId, out var gatewayId))
        {
            // Small bodies only (a handshake token, a config): buffering them to hash is cheap.
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var controlPlanes = request.Headers.TryGetValues(GatewayProcess.ControlPlaneClient.ControlPlanesHeader, out var values) ? string.Join(", ", values) : null;
            request.Headers.Remove(ControlPlaneSignature.Header);
            request.Headers.TryAddWithoutValidation(ControlPlaneSignature.Header,
                ring.SignWorkerCall(gatewayId, request.Method.Method, request.RequestUri!.PathAndQuery, body, controlPlanes));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
