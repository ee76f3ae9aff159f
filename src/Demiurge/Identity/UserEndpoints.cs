using System.Security.Claims;
using Demiurge.ApiKeys;
using Demiurge.Events;

namespace Demiurge.Identity;

internal static class UserEndpoints
{
    public const int MaxUsernameLength = 64;
    public const string UsernamePattern = "^[a-z0-9][a-z0-9._-]*$";

    public static RouteGroupBuilder MapUserEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/users").WithTags("Users");
        group.MapPost("", CreateUserAsync).RequireAuthorization(IdentityExtensions.AdminPolicy)
            .WithSummary("Create a user (system admins only). The token is shown once.");
        group.MapGet("/me", GetMeAsync).WithSummary("The calling user.").WithMetadata(ApiKeyRequirement.ReadAnyOrganization);
        return group;
    }

    private static async Task<Results<Created<UserCreatedResponse>, ProblemHttpResult>> CreateUserAsync(
        CreateUserRequest request, ClaimsPrincipal principal, IUserStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        var user = new User(Ids.New(), request.Username!, IsAdmin: false, time.GetUtcNowMilliseconds());
        var token = Tokens.New();
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.UserCreated, caller.UserId, null, user.UserId, user.Username, user.CreatedAt);
        if (!await store.UserCreateAsync(user, Tokens.Hash(token), auditEvent, cancellationToken))
        {
            return ApiProblems.Conflict($"The username '{user.Username}' is taken.");
        }

        DemiurgeMetrics.UserCreated();
        return TypedResults.Created($"/users/{user.UserId}", new UserCreatedResponse(user.UserId, user.Username, token));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetMeAsync(ClaimsPrincipal principal, IUserStore store, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        var user = await store.UserGetAsync(caller.UserId, cancellationToken);
        return user is null ? ApiProblems.NotFound("User", caller.UserId) : TypedResults.Ok(UserResponse.From(user));
    }
}
