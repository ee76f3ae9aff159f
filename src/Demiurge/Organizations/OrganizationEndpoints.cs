using System.Security.Claims;
using Demiurge.ApiKeys;
using Demiurge.Events;
using Demiurge.Identity;

namespace Demiurge.Organizations;

internal static class OrganizationEndpoints
{
    public const int MaxNameLength = 100;

    public static RouteGroupBuilder MapOrganizationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/orgs").WithTags("Organizations");
        group.MapPost("", CreateAsync).WithSummary("Create an organization; the caller becomes its owner.");
        group.MapGet("", ListAsync).WithSummary("Organizations the caller belongs to (all of them for system admins; only its own for an organization's API key).")
            .WithMetadata(ApiKeyRequirement.ReadAnyOrganization);
        group.MapGet("/{organization_id}", GetAsync).WithSummary("One organization.");
        group.MapPatch("/{organization_id}", UpdateAsync).WithSummary("Change the organization's settings and slug (owners and admins; its storage quota: system admins).");
        group.MapPost("/{organization_id}/members", AddMemberAsync).WithSummary("Add a member (owners and admins).");
        group.MapGet("/{organization_id}/members", ListMembersAsync).WithSummary("The organization's members.");
        group.MapPatch("/{organization_id}/members/{user_id}", UpdateMemberAsync).WithSummary("Change a member's role (owners and admins; only owners change owners; audited).");
        group.MapDelete("/{organization_id}/members/{user_id}", RemoveMemberAsync).WithSummary("Remove a member (owners and admins; only owners remove owners; audited).");
        return group;
    }

    private static async Task<Created<OrganizationResponse>> CreateAsync(
        CreateOrganizationRequest request, ClaimsPrincipal principal, IOrganizationStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        var organization = new Organization(Ids.New(), request.Name!, time.GetUtcNowMilliseconds());
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.OrganizationCreated, caller.UserId, organization.OrganizationId, organization.OrganizationId, organization.Name, organization.CreatedAt);
        organization = await store.OrganizationCreateAsync(organization, caller.UserId, auditEvent, cancellationToken);
        DemiurgeMetrics.OrganizationCreated();
        return TypedResults.Created($"/orgs/{organization.OrganizationId}", OrganizationResponse.From(organization));
    }

    private static async Task<Ok<OrganizationResponse[]>> ListAsync(ClaimsPrincipal principal, IOrganizationStore store, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        var organizations = await store.OrganizationListAsync(caller.IsAdmin ? null : caller.UserId, cancellationToken);
        return TypedResults.Ok(organizations.Where(o => caller.KeyOrganizationId is null || o.OrganizationId == caller.KeyOrganizationId)
            .Select(OrganizationResponse.From).ToArray());
    }

    private static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> GetAsync(
        string organization_id, ClaimsPrincipal principal, IOrganizationStore store, CancellationToken cancellationToken)
    {
        var access = await OrganizationAccess.LoadAsync(store, organization_id, Caller.From(principal), cancellationToken);
        return access is null
            ? ApiProblems.NotFound("Organization", organization_id)
            : TypedResults.Ok(OrganizationResponse.From(access.Organization));
    }

    private static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string organization_id, UpdateOrganizationRequest request, ClaimsPrincipal principal, IOrganizationStore store, Gateways.GatewaySettingsPublisher settings, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (request.GatewayAutoRelease is null && request.StorageQuotaBytes is null && request.Slug is null)
        {
            return ApiProblems.Invalid("gateway_auto_release", "Name a setting to change: gateway_auto_release, slug or storage_quota_bytes.");
        }

        if ((request.GatewayAutoRelease is not null || request.Slug is not null) && !access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only owners and admins of the organization may change its settings.");
        }

        if (request.Slug is not null && HostNames.SlugError(request.Slug) is { } slugError)
        {
            return ApiProblems.Invalid("slug", slugError);
        }

        // The quota bounds what the operator's disks hold for the organization: not its own owners' call.
        if (request.StorageQuotaBytes is not null && !caller.IsAdmin)
        {
            return ApiProblems.Forbidden("Only system admins may change an organization's storage quota.");
        }

        var organization = access.Organization;
        // First: a slug another organization has refuses the whole request, before anything changed.
        if (request.Slug is { } slug && slug != organization.Slug)
        {
            var auditEvent = new AuditEvent(Ids.New(), EventKinds.OrganizationUpdated, caller.UserId, organization.OrganizationId, organization.OrganizationId,
                $"slug={slug}", time.GetUtcNowMilliseconds());
            if (!await store.OrganizationSetSlugAsync(organization.OrganizationId, slug, auditEvent, cancellationToken))
            {
                return ApiProblems.Conflict($"The slug '{slug}' is taken by another organization.");
            }

            organization = organization with { Slug = slug };
        }

        if (request.GatewayAutoRelease is { } autoRelease)
        {
            var auditEvent = new AuditEvent(Ids.New(), EventKinds.OrganizationUpdated, caller.UserId, organization.OrganizationId, organization.OrganizationId,
                $"gateway_auto_release={(autoRelease ? "true" : "false")}", time.GetUtcNowMilliseconds());
            await store.OrganizationSetGatewayAutoReleaseAsync(organization.OrganizationId, autoRelease, auditEvent, cancellationToken);
            organization = organization with { GatewayAutoRelease = autoRelease };
        }

        if (request.StorageQuotaBytes is { } quota)
        {
            var auditEvent = new AuditEvent(Ids.New(), EventKinds.OrganizationUpdated, caller.UserId, organization.OrganizationId, organization.OrganizationId,
                FormattableString.Invariant($"storage_quota_bytes={quota}"), time.GetUtcNowMilliseconds());
            await store.OrganizationSetStorageQuotaAsync(organization.OrganizationId, quota, auditEvent, cancellationToken);
            organization = organization with { StorageQuotaBytes = quota };
            settings.Changed(organization.OrganizationId);
        }

        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    private static async Task<Results<Created<MemberResponse>, ValidationProblem, ProblemHttpResult>> AddMemberAsync(
        string organization_id, AddMemberRequest request, ClaimsPrincipal principal, IOrganizationStore store, IUserStore users, Gateways.GatewaySettingsPublisher settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        var access = await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken);
        if (access is null)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        var role = Enum.Parse<OrganizationRole>(request.Role!, ignoreCase: true);
        if (!access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only owners and admins of the organization may add members.");
        }

        if (!access.CanGrant(role))
        {
            return ApiProblems.Forbidden("Only owners may add owners.");
        }

        if (Ids.Parse(request.UserId) is not { } userId)
        {
            return ApiProblems.Invalid("user_id", "The user_id must be a UUID.");
        }

        if (await users.UserGetAsync(userId, cancellationToken) is not { } user)
        {
            return ApiProblems.NotFound("User", userId);
        }

        var organizationId = access.Organization.OrganizationId;
        var now = time.GetUtcNowMilliseconds();
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.MemberAdded, caller.UserId, organizationId, userId, role.ToText(), now);
        if (!await store.MembershipAddAsync(organizationId, userId, role, now, auditEvent, cancellationToken))
        {
            return ApiProblems.Conflict($"User '{user.Username}' is already a member of this organization.");
        }

        DemiurgeMetrics.MemberAdded();
        settings.Changed(organizationId);
        return TypedResults.Created($"/orgs/{organizationId}/members", new MemberResponse(userId, user.Username, role, now));
    }

    private static async Task<Results<Ok<MemberResponse[]>, ProblemHttpResult>> ListMembersAsync(
        string organization_id, ClaimsPrincipal principal, IOrganizationStore store, CancellationToken cancellationToken)
    {
        var access = await OrganizationAccess.LoadAsync(store, organization_id, Caller.From(principal), cancellationToken);
        if (access is null)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        var members = await store.MembershipListAsync(access.Organization.OrganizationId, cancellationToken);
        return TypedResults.Ok(members.Select(MemberResponse.From).ToArray());
    }

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> UpdateMemberAsync(
        string organization_id, string user_id, UpdateMemberRequest request, ClaimsPrincipal principal, IOrganizationStore store, Gateways.GatewaySettingsPublisher settings,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        var role = Enum.Parse<OrganizationRole>(request.Role!, ignoreCase: true);
        if (!access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only owners and admins of the organization may change roles.");
        }

        if (!access.CanGrant(role))
        {
            return ApiProblems.Forbidden("Only owners may make owners.");
        }

        if (Ids.Parse(user_id) is not { } userId)
        {
            return ApiProblems.NotFound("Member", user_id);
        }

        var organizationId = access.Organization.OrganizationId;
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.MemberRoleChanged, caller.UserId, organizationId, userId, role.ToText(), time.GetUtcNowMilliseconds());
        var change = await store.MembershipSetRoleAsync(organizationId, userId, role, access.CanChangeOwners, auditEvent, cancellationToken);
        if (MembershipRefusal(change, userId, "demote") is { } refusal)
        {
            return refusal;
        }

        settings.Changed(organizationId);
        var member = (await store.MembershipListAsync(organizationId, cancellationToken)).First(m => m.UserId == userId);
        return TypedResults.Ok(MemberResponse.From(member));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        string organization_id, string user_id, ClaimsPrincipal principal, IOrganizationStore store, Gateways.GatewaySettingsPublisher settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (!access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only owners and admins of the organization may remove members.");
        }

        if (Ids.Parse(user_id) is not { } userId)
        {
            return ApiProblems.NotFound("Member", user_id);
        }

        var organizationId = access.Organization.OrganizationId;
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.MemberRemoved, caller.UserId, organizationId, userId, null, time.GetUtcNowMilliseconds());
        var change = await store.MembershipRemoveAsync(organizationId, userId, access.CanChangeOwners, auditEvent, cancellationToken);
        if (MembershipRefusal(change, userId, "remove") is { } refusal)
        {
            return refusal;
        }

        settings.Changed(organizationId);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? MembershipRefusal(MembershipChange change, string userId, string verb) => change switch
    {
        MembershipChange.Changed => null,
        MembershipChange.OwnerProtected => ApiProblems.Forbidden($"Only owners may {verb} an owner."),
        MembershipChange.LastOwner => ApiProblems.Conflict($"User {userId} is the organization's only owner: make another owner first."),
        _ => ApiProblems.NotFound("Member", userId),
    };
}
