namespace Demiurge.GatewayProcess;

/// <summary>How a read or write of a project's document on the gateway ended.</summary>
internal enum ProjectAccess
{
    Done,

    /// <summary>The gateway serves no organization now.</summary>
    NotServing,

    /// <summary>Not a project of the organization served (the config's <c>projects</c>).</summary>
    UnknownProject,

    /// <summary>The write would take the organization's data over its storage quota; nothing changed.</summary>
    QuotaExceeded,
}
