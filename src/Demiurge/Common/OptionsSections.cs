namespace Demiurge.Common;

/// <summary>
/// Binds a part's options to its own section of the settings, so that a part reads
/// <see cref="PlatformOptions"/> and its section and never the composition root's options.
/// </summary>
internal static class OptionsSections
{
    /// <summary>Binds <typeparamref name="T"/> to <c>Demiurge</c>, or to <c>Demiurge:{section}</c> when <paramref name="section"/> is given.</summary>
    public static IServiceCollection AddSection<T>(this IServiceCollection services, IConfiguration configuration, string? section = null)
        where T : class
    {
        var root = configuration.GetSection(Setting.SectionName);
        services.AddOptions<T>().Bind(section is null ? root : root.GetSection(section));
        return services;
    }
}
