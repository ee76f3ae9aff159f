using System.Collections.Concurrent;

namespace Demiurge.Gateways;

/// <summary>
/// The control plane's calls to its workers (<c>/collab/start</c>, <c>/collab/release</c>,
/// <c>/collab/ping</c>, <c>/collab/config</c>): the one place that attaches the control
/// plane's credential, so that replacing the credential changes one class.
/// </summary>
internal sealed class WorkerClient(IGatewayStore store, IHttpClientFactory httpClients)
{
    // What each worker accepts as the control plane's word (it never changes for a worker).
    private readonly ConcurrentDictionary<string, string> _credentials = new();

    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="path"/> to <paramref name="gateway"/> with the
    /// control plane's credential; <paramref name="configure"/> adds headers. The caller disposes the answer.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        Gateway gateway, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, Action<HttpRequestMessage>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        using var request = new HttpRequestMessage(method, new Uri(new Uri(gateway.Address), path)) { Content = content };
        request.Headers.Authorization = new("Bearer", await CredentialAsync(gateway.GatewayId, cancellationToken));
        configure?.Invoke(request);
        return await httpClients.CreateClient(GatewayAllocator.HttpClientName).SendAsync(request, cancellationToken);
    }

    /// <summary>The gateway is gone: its credential is no longer needed.</summary>
    public void Forget(string gatewayId) => _credentials.TryRemove(gatewayId, out _);

    private async Task<string?> CredentialAsync(string gatewayId, CancellationToken cancellationToken)
    {
        if (_credentials.TryGetValue(gatewayId, out var credential))
        {
            return credential;
        }

        credential = await store.GatewayControlCredentialAsync(gatewayId, cancellationToken);
        return credential is null ? null : _credentials.GetOrAdd(gatewayId, credential);
    }
}
