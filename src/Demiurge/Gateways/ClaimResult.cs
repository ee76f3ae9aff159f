namespace Demiurge.Gateways;

/// <summary>What a claim found: a new claim, the organization's current allocation, or no ready gateway.</summary>
internal sealed record ClaimResult(Allocation? Allocation, Gateway? Gateway, bool Existing)
{
    public static readonly ClaimResult NoneReady = new(null, null, false);
}
