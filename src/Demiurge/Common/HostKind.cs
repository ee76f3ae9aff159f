namespace Demiurge.Common;

/// <summary>What a request's Host names, as far as a gateway is concerned.</summary>
internal enum HostKind
{
    /// <summary>Not an organization's name (a loopback address, say): the gateway's own endpoints answer.</summary>
    Gateway,

    /// <summary><c>org-{id}.{domain}</c>: an organization's gateway name.</summary>
    Organization,

    /// <summary><c>uc-{container}.org-{id}.{domain}</c>: a user container, served through stage 2.</summary>
    Container,
}
