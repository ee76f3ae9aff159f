using System.Security.Claims;
using System.Text;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;

namespace Demiurge.Security;

/// <summary>An organization's secrets (owners and admins; values go in, never out) and the key ring (system admins).</summary>
internal static class SecretEndpoints
{
    public static void MapSecretEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var secrets = endpoints.MapGroup("/orgs/{organization_id}/secrets").WithTags("Secrets");
        secrets.MapPost("", CreateAsync).WithSummary("Store a secret, encrypted; its value is never returned (owners and admins).");
        secrets.MapGet("", ListAsync).WithSummary("The organization's secrets, without their values (owners and admins).");
        secrets.MapDelete("/{secret_id}", DeleteAsync).WithSummary("Delete a secret (owners and admins).");

        var ring = endpoints.MapGroup("/key-ring").WithTags("Secrets").RequireAuthorization(IdentityExtensions.AdminPolicy);
        ring.MapGet("", StatusAsync).WithSummary("The key ring's keys and how many secrets each seals (system admins).");
        ring.MapPost("/rotate", RotateAsync).WithSummary("Start a data-key rotation: a new key seals new secrets, and every secret is resealed with it (system admins).");
    }

    private static async Task<Results<Created<SecretResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string organization_id, CreateSecretRequest request, ClaimsPrincipal principal, IOrganizationStore store, SecretService secrets, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (!access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only the organization's owners and admins manage its secrets.");
        }

        if (Encoding.UTF8.GetByteCount(request.Value!) > SecretService.MaxValueBytes)
        {
            return ApiProblems.Invalid("value", $"The value must be at most {SecretService.MaxValueBytes} bytes in UTF-8.");
        }

        var secret = await secrets.CreateAsync(access.Organization.OrganizationId, request.Name!, request.Value!, caller.UserId, cancellationToken);
        return secret is null
            ? ApiProblems.Conflict($"The organization already has a secret named '{request.Name}'.")
            : TypedResults.Created($"/orgs/{secret.OrganizationId}/secrets/{secret.SecretId}", SecretResponse.From(secret));
    }

    private static async Task<Results<Ok<SecretResponse[]>, ProblemHttpResult>> ListAsync(
        string organization_id, ClaimsPrincipal principal, IOrganizationStore store, IKeyRingStore ring, CancellationToken cancellationToken)
    {
        if (await OrganizationAccess.LoadAsync(store, organization_id, Caller.From(principal), cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (!access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only the organization's owners and admins see its secrets.");
        }

        return TypedResults.Ok((await ring.SecretListAsync(access.Organization.OrganizationId, cancellationToken)).Select(SecretResponse.From).ToArray());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string organization_id, string secret_id, ClaimsPrincipal principal, IOrganizationStore store, IKeyRingStore ring, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (!access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only the organization's owners and admins delete its secrets.");
        }

        var organizationId = access.Organization.OrganizationId;
        if (Ids.Parse(secret_id) is not { } secretId || await ring.SecretGetAsync(secretId, cancellationToken) is not { } secret || secret.OrganizationId != organizationId)
        {
            return ApiProblems.NotFound("Secret", secret_id);
        }

        var auditEvent = new AuditEvent(Ids.New(), SecurityEventKinds.SecretDeleted, caller.UserId, organizationId, secretId, secret.Name, time.GetUtcNowMilliseconds());
        return await ring.SecretDeleteAsync(secretId, auditEvent, cancellationToken) ? TypedResults.NoContent() : ApiProblems.NotFound("Secret", secret_id);
    }

    private static async Task<Ok<KeyRingResponse>> StatusAsync(IKeyRingStore store, CancellationToken cancellationToken)
    {
        var keys = await store.KeyListAsync(cancellationToken);
        var counts = await store.SecretCountByKeyAsync(cancellationToken);
        return TypedResults.Ok(new KeyRingResponse(
            keys.FirstOrDefault(k => k.Purpose == KeyPurpose.Data && k.State == KeyState.Active)?.KeyId ?? string.Empty,
            keys.Any(k => k.Purpose == KeyPurpose.Data && k.State == KeyState.Retiring),
            [.. keys.Select(k => new KeyResponse(k.KeyId, k.Purpose.ToText(), k.State.ToText(), k.CreatedAt, counts.GetValueOrDefault(k.KeyId)))]));
    }

    private static async Task<Accepted<KeyRingResponse>> RotateAsync(
        ClaimsPrincipal principal, KeyRing ring, KeyRotation rotation, IKeyRingStore store, CancellationToken cancellationToken)
    {
        await ring.RotateDataKeyAsync(Caller.From(principal).UserId, cancellationToken);
        rotation.Wake();
        return TypedResults.Accepted("/key-ring", (await StatusAsync(store, cancellationToken)).Value);
    }
}
