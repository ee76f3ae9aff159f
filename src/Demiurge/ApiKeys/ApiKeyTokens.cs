using Demiurge.Identity;

namespace Demiurge.ApiKeys;

/// <summary>The secret of an API key: a <see cref="Tokens"/> token behind its own prefix, so a leaked one is recognizable.</summary>
internal static class ApiKeyTokens
{
    public const string Prefix = "dmk_";

    public static string New() => Tokens.New(Prefix);
}
