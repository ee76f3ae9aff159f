using System.ComponentModel.DataAnnotations;

namespace Demiurge.Security;

public sealed record CreateSecretRequest
{
    public const string NamePattern = "^[A-Za-z_][A-Za-z0-9_.-]*$";

    [Required(ErrorMessage = "The name is required."), StringLength(128, ErrorMessage = "The name must be at most {1} characters."),
     RegularExpression(NamePattern, ErrorMessage = "The name must start with a letter or _ and hold only letters, digits, _, . and -.")]
    public string? Name { get; init; }

    [Required(ErrorMessage = "The value is required."), StringLength(SecretService.MaxValueBytes, MinimumLength = 1, ErrorMessage = "The value must be 1 to {1} characters.")]
    public string? Value { get; init; }
}

/// <summary>A secret as the API shows it: never its value.</summary>
internal sealed record SecretResponse(string SecretId, string? OrganizationId, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static SecretResponse From(StoredSecret secret) => new(secret.SecretId, secret.OrganizationId, secret.Name, secret.CreatedAt, secret.UpdatedAt);
}

internal sealed record KeyResponse(string KeyId, string Purpose, string State, DateTimeOffset CreatedAt, long Secrets);

internal sealed record KeyRingResponse(string ActiveDataKeyId, bool Rotating, IReadOnlyList<KeyResponse> Keys);
