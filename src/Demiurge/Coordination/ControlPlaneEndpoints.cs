using Demiurge.Identity;

namespace Demiurge.Coordination;

internal static class ControlPlaneEndpoints
{
    public static RouteGroupBuilder MapControlPlaneEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/control-planes").WithTags("Control planes").RequireAuthorization(IdentityExtensions.AdminPolicy);
        group.MapGet("", List).WithSummary("The live control planes as this one sees them, itself first, and whether it leads (system admins).");
        return group;
    }

    private static Ok<ControlPlanesResponse> List(ControlPlaneDirectory directory, ILeadership leadership) =>
        TypedResults.Ok(new ControlPlanesResponse(directory.Self.AbsoluteUri, leadership.IsLeader, [.. directory.All.Select(url => url.AbsoluteUri)]));
}

/// <summary>Answer of <c>GET /control-planes</c>: this instance's URL, whether it leads, and every live instance's URL.</summary>
internal sealed record ControlPlanesResponse(string Self, bool Leader, IReadOnlyList<string> ControlPlanes);
