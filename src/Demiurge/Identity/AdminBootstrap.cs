using Demiurge.Events;

namespace Demiurge.Identity;

/// <summary>Makes sure the built-in <c>admin</c> user exists and holds the configured token.</summary>
internal sealed partial class AdminBootstrap(IUserStore store, IOptions<PlatformOptions> options, TimeProvider time, ILogger<AdminBootstrap> logger)
{
    public const string AdminUsername = "admin";

    /// <summary>Returns the admin token when it was generated now; it is never shown again.</summary>
    public async Task<string?> EnsureAdminAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.AdminToken;
        var admin = await store.UserGetByUsernameAsync(AdminUsername, cancellationToken);
        if (admin is not null)
        {
            var hash = configured is null ? null : Tokens.Hash(configured);
            if (hash is not null && (await store.UserFindByTokenHashAsync(hash, cancellationToken))?.UserId != admin.UserId)
            {
                await store.UserSetTokenHashAsync(admin.UserId, hash, NewEvent(EventKinds.AdminTokenSet, admin.UserId), cancellationToken);
            }

            return null;
        }

        var token = configured ?? Tokens.New();
        var user = new User(Ids.New(), AdminUsername, IsAdmin: true, time.GetUtcNowMilliseconds());
        if (!await store.UserCreateAsync(user, Tokens.Hash(token), NewEvent(EventKinds.UserCreated, user.UserId), cancellationToken))
        {
            // Another control plane created the admin first; its token stands unless one is configured.
            return await EnsureAdminAsync(cancellationToken);
        }

        LogAdminCreated(logger, user.UserId);
        return configured is null ? token : null;
    }

    private AuditEvent NewEvent(string kind, string userId) => new(Ids.New(), kind, null, null, userId, null, time.GetUtcNowMilliseconds());

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Created the built-in admin user {UserId}")]
    private static partial void LogAdminCreated(ILogger logger, string userId);
}
