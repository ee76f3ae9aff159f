using Demiurge.Identity;

namespace Demiurge.ApiKeys;

/// <summary>A key found by its hash, with the user it acts as.</summary>
internal sealed record ApiKeyHolder(ApiKey Key, User Creator);
