namespace Demiurge.Gateways;

/// <summary>
/// The control plane's calls to its workers (<see cref="Protocol.GatewayPaths.Start"/>, <see cref="Protocol.GatewayPaths.Release"/>,
/// <see cref="Protocol.GatewayPaths.Ping"/>, <see cref="Protocol.GatewayPaths.CollabConfig"/>): the one place that signs them with the key ring's
/// signing key (<see cref="Protocol.ControlPlaneSignature"/>), over the worker, the method, the
/// path, the body and the control-plane list a ping hands over.
/// </summary>
internal sealed class WorkerClient(Security.KeyRing ring, IHttpClientFactory httpClients)
{
    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="path"/> to <paramref name="gateway"/>, signed;
    /// <paramref name="configure"/> adds headers first. The caller disposes the answer.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        Gateway gateway, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, Action<HttpRequestMessage>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        using var request = new HttpRequestMessage(method, new Uri(new Uri(gateway.Address), path)) { Content = content };
        configure?.Invoke(request);

        // Small bodies only (a handshake token, the organization's settings): buffering them to hash is cheap.
        var body = content is null ? [] : await content.ReadAsByteArrayAsync(cancellationToken);
        var controlPlanes = request.Headers.TryGetValues(Protocol.GatewayHeaders.ControlPlanes, out var values) ? string.Join(", ", values) : null;
        request.Headers.TryAddWithoutValidation(Protocol.GatewayHeaders.Signature,
            ring.SignWorkerCall(gateway.GatewayId, method.Method, request.RequestUri!.PathAndQuery, body, controlPlanes));
        return await httpClients.CreateClient(GatewayAllocator.HttpClientName).SendAsync(request, cancellationToken);
    }
}
