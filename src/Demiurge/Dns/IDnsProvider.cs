namespace Demiurge.Dns;

/// <summary>
/// Publishes an organization's names: <c>org-{id}.{domain}</c> and <c>*.org-{id}.{domain}</c>
/// pointing at the edge. Both operations are idempotent, so undo and reconcile can repeat them.
/// </summary>
internal interface IDnsProvider
{
    Task SetOrganizationAsync(string organizationId, CancellationToken cancellationToken);

    Task RemoveOrganizationAsync(string organizationId, CancellationToken cancellationToken);
}
