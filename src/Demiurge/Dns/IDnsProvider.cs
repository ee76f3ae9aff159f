namespace Demiurge.Dns;

/// <summary>
/// Publishes an organization's names: <c>org-{id}.{domain}</c> and <c>*.org-{id}.{domain}</c>
/// pointing at the edge. Both operations are idempotent, so undo and reconcile can repeat them.
/// </summary>
internal interface IDnsProvider
{
    Task SetOrganizationAsync(string organizationId, CancellationToken cancellationToken);

    Task RemoveOrganizationAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>The organizations whose names are published now, whether or not they still hold a gateway; for the reconciler.</summary>
    Task<IReadOnlyCollection<string>> ListPublishedOrganizationsAsync(CancellationToken cancellationToken);
}
