using Demiurge.GatewayProcess.Containers;
using Demiurge.GatewayProcess.OAuth;
using Demiurge.GatewayProcess.Permissions;
namespace Demiurge.GatewayProcess;

/// <summary>
/// The gateway's three managers for the organization it serves (permissions, OAuth provider,
/// container tokens) and the requests that use them together. Lives in the organization's
/// session and goes with it at release, so the next organization finds none of it.
/// </summary>
/// <remarks>Not thread-safe: the worker calls it under its lock, in memory only.</remarks>
internal sealed class OrganizationManagers
{
    private OrganizationManagers(string gatewayHostname, PermissionManager permissions, OAuthProvider oauth, ContainerTokenManager containers)
    {
        GatewayHostname = gatewayHostname;
        Permissions = permissions;
        OAuth = oauth;
        Containers = containers;
    }

    /// <summary>The organization's own name; containers' redirect URIs must sit at it or under it.</summary>
    public string GatewayHostname { get; }

    public PermissionManager Permissions { get; }

    public OAuthProvider OAuth { get; }

    public ContainerTokenManager Containers { get; }

    /// <summary>Moves on every change to what <see cref="Export"/> writes.</summary>
    public long Revision => OAuth.Revision + Containers.Revision;

    /// <summary>
    /// The managers of an organization: members from the config (the authority), the rest from
    /// the state the organization's data carried. <paramref name="dropped"/> counts the codes and
    /// tokens left out because they can never be used again.
    /// </summary>
    public static OrganizationManagers Restore(
        IEnumerable<OrganizationMember> members, string gatewayHostname, GatewayStateDocument state, DateTimeOffset now, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(state);
        var permissions = new PermissionManager(members);
        var oauth = new OAuthProvider(permissions, state.OAuth, now, out dropped);
        return new OrganizationManagers(gatewayHostname, permissions, oauth, new ContainerTokenManager(state.Containers));
    }

    public GatewayStateDocument Export() =>
        new(GatewayStateDocument.CurrentVersion, new PermissionsState([.. Permissions.Members]), OAuth.Export(), Containers.Export());

    /// <summary>A member creates a container: its token and its OAuth client, in one step.</summary>
    public ContainerCreation CreateContainer(string userId, string containerId, IReadOnlyList<string> redirectUris, DateTimeOffset now)
    {
        if (!Permissions.CanCreateContainer(userId))
        {
            return new ContainerCreation(ContainerOutcome.Forbidden);
        }

        if (Containers.Get(containerId) is not null)
        {
            return new ContainerCreation(ContainerOutcome.Conflict);
        }

        var client = OAuth.AddClient(containerId, redirectUris, userId, now);
        var (container, token) = Containers.Add(containerId, userId, client.ClientId, now);
        return new ContainerCreation(ContainerOutcome.Created, container, token);
    }

    /// <summary>Deletes a container with its token, its OAuth client and every code and token issued to that client.</summary>
    public ContainerDeletion DeleteContainer(string userId, string containerId)
    {
        if (!Permissions.IsMember(userId))
        {
            return new ContainerDeletion(ContainerOutcome.Forbidden);
        }

        if (Containers.Get(containerId) is not { } container)
        {
            return new ContainerDeletion(ContainerOutcome.NotFound);
        }

        if (!Permissions.CanDeleteContainer(userId, container))
        {
            return new ContainerDeletion(ContainerOutcome.Forbidden);
        }

        Containers.Remove(containerId);
        return new ContainerDeletion(ContainerOutcome.Deleted, OAuth.RemoveClient(container.OAuthClientId));
    }

    /// <summary>Introspection by a container, authenticated by its token; null when the token is no container's.</summary>
    public IntrospectionResponse? Introspect(string containerToken, string token, DateTimeOffset now) =>
        Containers.Authenticate(containerToken) is { } container ? OAuth.Introspect(token, container.OAuthClientId, now) : null;
}
