namespace Demiurge.GatewayProcess.Containers;

/// <summary>
/// The organization's user containers and their tokens. A container token is shown once, when
/// the container is created, and kept only as its SHA-256; it lives until the container is deleted.
/// </summary>
/// <remarks>Not thread-safe: the worker calls it under its lock.</remarks>
internal sealed class ContainerTokenManager
{
    private readonly Dictionary<string, ContainerRecord> _containers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byTokenHash = new(StringComparer.Ordinal);

    public ContainerTokenManager(IEnumerable<ContainerRecord>? containers)
    {
        foreach (var container in containers ?? [])
        {
            _containers[container.ContainerId] = container;
            _byTokenHash[container.TokenHash] = container.ContainerId;
        }
    }

    public long Revision { get; private set; }

    public int Count => _containers.Count;

    public ContainerRecord? Get(string containerId) => _containers.GetValueOrDefault(containerId);

    /// <summary>Registers a container and returns its token, in clear for the only time.</summary>
    public (ContainerRecord Container, string Token) Add(string containerId, string createdBy, string oauthClientId, DateTimeOffset now)
    {
        if (_containers.ContainsKey(containerId))
        {
            throw new InvalidOperationException($"Container {containerId} already exists.");
        }

        var token = SecretTokens.New(SecretTokens.ContainerPrefix);
        var container = new ContainerRecord(containerId, createdBy, SecretTokens.Hash(token), oauthClientId, now);
        _containers[containerId] = container;
        _byTokenHash[container.TokenHash] = containerId;
        Revision++;
        return (container, token);
    }

    /// <summary>The container whose token this is; null for anything else.</summary>
    public ContainerRecord? Authenticate(string token) =>
        token.Length <= SecretTokens.MaxLength && _byTokenHash.TryGetValue(SecretTokens.Hash(token), out var containerId)
            ? _containers[containerId]
            : null;

    /// <summary>Forgets the container; its token stops working at once.</summary>
    public bool Remove(string containerId)
    {
        if (!_containers.Remove(containerId, out var container))
        {
            return false;
        }

        _byTokenHash.Remove(container.TokenHash);
        Revision++;
        return true;
    }

    public IReadOnlyList<ContainerRecord> Export() => [.. _containers.Values];
}
