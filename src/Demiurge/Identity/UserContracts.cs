using System.ComponentModel.DataAnnotations;

namespace Demiurge.Identity;

// Request contracts are public: the .NET 10 validation generator only sees public types.
public sealed record CreateUserRequest
{
    /// <summary>Lower-case letters, digits, dots, hyphens and underscores; starts with a letter or digit.</summary>
    [Required(ErrorMessage = "The username is required."), StringLength(UserEndpoints.MaxUsernameLength, ErrorMessage = "The username must be at most {1} characters."), RegularExpression(UserEndpoints.UsernamePattern,
        ErrorMessage = "The username must start with a lower-case letter or digit and hold only a-z, 0-9, '.', '-' and '_'.")]
    public string? Username { get; init; }
}

internal sealed record UserCreatedResponse(string UserId, string Username, string Token);

internal sealed record UserResponse(string UserId, string Username, bool IsAdmin, DateTimeOffset CreatedAt)
{
    public static UserResponse From(User user) => new(user.UserId, user.Username, user.IsAdmin, user.CreatedAt);
}
