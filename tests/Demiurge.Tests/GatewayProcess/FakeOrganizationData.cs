using System.Text.Json;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>What the fake control plane stores for one organization.</summary>
public sealed record FakeOrganizationData(long Version, Dictionary<string, string> Projects, JsonElement? GatewayState);
