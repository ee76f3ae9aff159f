namespace Demiurge.Identity;

/// <summary>A person or robot that calls the API with a bearer token.</summary>
internal sealed record User(string UserId, string Username, bool IsAdmin, DateTimeOffset CreatedAt);
