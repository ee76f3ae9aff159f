using Demiurge.Events;

namespace Demiurge.Identity;

/// <summary>
/// Users and their tokens. Writes append their audit event in the same transaction;
/// a write that loses a race on a unique constraint returns false instead of throwing.
/// </summary>
internal interface IUserStore
{
    /// <summary>Creates a user; false when the username is taken.</summary>
    Task<bool> UserCreateAsync(User user, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken);

    Task<User?> UserGetAsync(string userId, CancellationToken cancellationToken);

    Task<User?> UserGetByUsernameAsync(string username, CancellationToken cancellationToken);

    Task<User?> UserFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Replaces a user's token; false when the user does not exist.</summary>
    Task<bool> UserSetTokenHashAsync(string userId, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken);
}
