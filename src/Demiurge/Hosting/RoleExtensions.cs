using System.Collections;
using Demiurge.Store;

namespace Demiurge.Hosting;

/// <summary>The registrations every role composes; see <see cref="RoleHost"/>.</summary>
internal static class RoleExtensions
{
    /// <summary>
    /// Adds the settings to <paramref name="builder"/> (appsettings.json, then <c>DEMIURGE_*</c>,
    /// then <paramref name="flags"/>), validates them, and registers <see cref="DemiurgeOptions"/>
    /// and the system clock.
    /// </summary>
    /// <exception cref="ConfigurationException">Some settings are invalid; every problem is listed.</exception>
    /// <param name="builder">The role's builder.</param>
    /// <param name="flags">The command line's values by configuration key.</param>
    /// <param name="environment">The environment to read <c>DEMIURGE_*</c> from; the process's when null.</param>
    public static IHostApplicationBuilder AddDemiurgeSettings(this IHostApplicationBuilder builder, IReadOnlyDictionary<string, string?> flags, IDictionary? environment = null)
    {
        builder.Configuration.AddInMemoryCollection(Settings.FromEnvironment(Settings.ControlPlane, environment ?? Environment.GetEnvironmentVariables()));
        builder.Configuration.AddInMemoryCollection(flags);
        // Each value is parsed once, here: durations and "off" become what the binder reads into
        // the options' TimeSpan and nullable properties.
        var typeErrors = Settings.TypeErrors(Settings.ControlPlane, builder.Configuration);
        builder.Configuration.AddInMemoryCollection(Settings.Bindable(Settings.ControlPlane, builder.Configuration));
        // Validate before building (Kestrel reads the options while the application is built),
        // and list every problem at once: values of the wrong type are left out of the check
        // of the rest (their defaults stand in) rather than stopping it.
        var wrongType = typeErrors.Select(e => e.Setting.ConfigurationKey).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var typed = new ConfigurationBuilder()
            .AddInMemoryCollection(builder.Configuration.AsEnumerable().Where(entry => entry.Value is not null && !wrongType.Contains(entry.Key)))
            .Build();
        var validation = new DemiurgeOptionsValidator().Validate(null, typed.GetSection(DemiurgeOptions.SectionName).Get<DemiurgeOptions>() ?? new DemiurgeOptions());
        var errors = typeErrors.Select(e => e.Error).Concat(validation.Failed ? validation.Failures : []).ToList();
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        builder.Services.AddOptions<DemiurgeOptions>().Bind(builder.Configuration.GetSection(DemiurgeOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DemiurgeOptions>, DemiurgeOptionsValidator>();
        // The parts read the platform's values and their own sections, never DemiurgeOptions:
        // the composition root depends on the parts, not the reverse.
        builder.Services
            .AddSection<PlatformOptions>(builder.Configuration)
            .AddSection<Gateways.PoolOptions>(builder.Configuration, nameof(DemiurgeOptions.Pool))
            .AddSection<Gateways.GatewayOptions>(builder.Configuration, nameof(DemiurgeOptions.Gateway))
            .AddSection<StoreOptions>(builder.Configuration, nameof(DemiurgeOptions.Store))
            .AddSection<Edge.EdgeOptions>(builder.Configuration, nameof(DemiurgeOptions.Edge))
            .AddSection<Dns.DnsOptions>(builder.Configuration, nameof(DemiurgeOptions.Dns))
            .AddSection<Runtime.RuntimeOptions>(builder.Configuration, nameof(DemiurgeOptions.Runtime));
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The store, with the data directory prepared and the schema migrated before the role serves.</summary>
    public static IServiceCollection AddPreparedStore(this IServiceCollection services)
    {
        services.AddStore();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupStep, StoreStartup>());
        return services;
    }
}
