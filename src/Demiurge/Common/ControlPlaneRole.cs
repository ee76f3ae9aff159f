namespace Demiurge.Common;

/// <summary>
/// What a control-plane process serves besides the API: <c>demiurge up</c> also runs the
/// embedded edge and DNS server (when they are the configured providers); <c>demiurge controlplane</c>
/// leaves them to <c>demiurge edge</c> and <c>demiurge dns</c>.
/// </summary>
internal sealed record ControlPlaneRole(bool ServesEdge, bool ServesDns)
{
    public static readonly ControlPlaneRole ApiOnly = new(false, false);

    public static readonly ControlPlaneRole Everything = new(true, true);
}
