using System.Data.Common;
using Demiurge.Events;
using Demiurge.Identity;

namespace Demiurge.Store;

/// <summary>Users and their tokens, in portable SQL.</summary>
internal sealed class SqlUserStore(Database database) : IUserStore
{
    private const string SelectUser = "SELECT user_id, username, is_admin, created_at FROM users";

    public Task<bool> UserCreateAsync(User user, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return database.TryWriteAsync(session => session.ExecuteAsync("""
            INSERT INTO users (user_id, username, token_hash, is_admin, created_at)
            VALUES (@id, @username, @hash, @admin, @at)
            """, cancellationToken,
            ("@id", user.UserId), ("@username", user.Username), ("@hash", tokenHash), ("@admin", user.IsAdmin), ("@at", user.CreatedAt.ToUnixTimeMilliseconds())),
            auditEvent, cancellationToken);
    }

    public Task<User?> UserGetAsync(string userId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectUser} WHERE user_id = @value", ReadUser, cancellationToken, ("@value", userId));

    public Task<User?> UserGetByUsernameAsync(string username, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectUser} WHERE username = @value", ReadUser, cancellationToken, ("@value", username));

    public Task<User?> UserFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectUser} WHERE token_hash = @value", ReadUser, cancellationToken, ("@value", tokenHash));

    public Task<bool> UserSetTokenHashAsync(string userId, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync("UPDATE users SET token_hash = @hash WHERE user_id = @id",
            cancellationToken, ("@hash", tokenHash), ("@id", userId)) == 1, auditEvent, cancellationToken);

    private static User ReadUser(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetTime(3));
}
