using System.Text.Json;
using Demiurge.GatewayProcess;
using Demiurge.Protocol;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>The worker's checks of what the control plane hands it, without a worker: pure functions.</summary>
public sealed class ControlPlaneAnswersTests
{
    private const string GatewayId = "gw-1";
    private const string OrganizationId = "0198a0a0-0000-7000-8000-0000000000ff";
    private const string ProjectA = "0198a0a0-0000-7000-8000-00000000000a";

    [Fact]
    public void HandshakeTokenError_MissingOrTooLong_ExplainsAndAValidOnePasses()
    {
        Assert.Equal("The handshake_token is required.", ControlPlaneAnswers.HandshakeTokenError(null));
        Assert.Equal("The handshake_token is required.", ControlPlaneAnswers.HandshakeTokenError(""));
        Assert.Contains("at most 512", ControlPlaneAnswers.HandshakeTokenError(new string('h', 513)), StringComparison.Ordinal);
        Assert.Null(ControlPlaneAnswers.HandshakeTokenError(new string('h', 512)));
    }

    [Fact]
    public void ConfigAnswerError_AValidAnswer_Passes() => Assert.Null(ControlPlaneAnswers.ConfigAnswerError(Answer(), GatewayId));

    [Fact]
    public void ConfigAnswerError_ForAnotherGateway_Refused() =>
        Assert.Equal("it is for gateway 'gw-1', and this is 'gw-2'.", ControlPlaneAnswers.ConfigAnswerError(Answer(), "gw-2"));

    [Theory]
    [InlineData("org-0198a0a0-0000-7000-8000-000000000000.demiurge.localhost")]
    [InlineData("uc-x.org-0198a0a0-0000-7000-8000-0000000000ff.demiurge.localhost")]
    [InlineData("org-0198a0a0-0000-7000-8000-0000000000ff.bad name")]
    public void ConfigAnswerError_HostnameNotTheOrganizations_Refused(string hostname) =>
        Assert.StartsWith("gateway_hostname must be the organization's name", ControlPlaneAnswers.ConfigAnswerError(Answer() with { GatewayHostname = hostname }, GatewayId),
            StringComparison.Ordinal);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(1e300)]
    public void ConfigAnswerError_DurationNotAPositiveNumberOfSeconds_Refused(double seconds)
    {
        Assert.Equal("inactivity_timeout_seconds must be a positive number of seconds or null.",
            ControlPlaneAnswers.ConfigAnswerError(Answer() with { InactivityTimeoutSeconds = seconds }, GatewayId));
        Assert.Equal("autosave_interval_seconds must be a positive number of seconds or null.",
            ControlPlaneAnswers.ConfigAnswerError(Answer() with { AutosaveIntervalSeconds = seconds }, GatewayId));
    }

    [Fact]
    public void ConfigAnswerError_NoInactivityTimeout_Passes() =>
        Assert.Null(ControlPlaneAnswers.ConfigAnswerError(Answer() with { InactivityTimeoutSeconds = null }, GatewayId));

    [Fact]
    public void ConfigError_RevisionOrQuotaMissing_Refused()
    {
        const string Required = "organization_id, settings_revision (not negative), organization_name and storage_quota_bytes (positive) are required.";
        Assert.Equal(Required, ControlPlaneAnswers.ConfigError(Config() with { SettingsRevision = null }));
        Assert.Equal(Required, ControlPlaneAnswers.ConfigError(Config() with { SettingsRevision = -1 }));
        Assert.Equal(Required, ControlPlaneAnswers.ConfigError(Config() with { StorageQuotaBytes = 0 }));
        Assert.Equal(Required, ControlPlaneAnswers.ConfigError(Config() with { OrganizationName = "" }));
        Assert.Null(ControlPlaneAnswers.ConfigError(Config()));
    }

    [Fact]
    public void ConfigError_MembersUnreadable_Refused()
    {
        Assert.Equal("members is required (a list).", ControlPlaneAnswers.ConfigError(Config() with { Members = null }));
        Assert.Equal("member u1 has the role 'god'; the roles are owner, admin, member and viewer.",
            ControlPlaneAnswers.ConfigError(Config() with { Members = [new GatewayMember("u1", "alice", "god")] }));
        Assert.Equal("member u1 is listed twice.",
            ControlPlaneAnswers.ConfigError(Config() with { Members = [new GatewayMember("u1", "alice", "owner"), new GatewayMember("u1", "alice", "viewer")] }));
        Assert.Equal("every member needs a user_id and a username.",
            ControlPlaneAnswers.ConfigError(Config() with { Members = [new GatewayMember("u1", "", "owner")] }));
    }

    [Fact]
    public void ConfigError_ProjectsUnreadable_Refused()
    {
        Assert.Equal("projects is required (a list, empty when the organization has none).", ControlPlaneAnswers.ConfigError(Config() with { Projects = null }));
        Assert.Equal("every project needs a project_id (a lower-case UUID) and a name.",
            ControlPlaneAnswers.ConfigError(Config() with { Projects = [new GatewayProject(ProjectA.ToUpperInvariant(), "A")] }));
        Assert.Equal($"project {ProjectA} is listed twice.",
            ControlPlaneAnswers.ConfigError(Config() with { Projects = [new GatewayProject(ProjectA, "A"), new GatewayProject(ProjectA, "B")] }));
        Assert.Null(ControlPlaneAnswers.ConfigError(Config() with { Projects = [] }));
    }

    [Fact]
    public void PullError_DataOfAnotherOrganizationOrVersion_Refused()
    {
        Assert.Equal($"it is for organization 'other', not '{OrganizationId}'.", ControlPlaneAnswers.PullError(Pull() with { OrganizationId = "other" }, OrganizationId));
        Assert.Equal("the version is negative.", ControlPlaneAnswers.PullError(Pull() with { Version = -1 }, OrganizationId));
        Assert.Null(ControlPlaneAnswers.PullError(Pull(), OrganizationId));
        Assert.Null(ControlPlaneAnswers.PullError(Pull() with { Data = null }, OrganizationId));
    }

    [Fact]
    public void PullError_DocumentsOrStateUnreadable_Refused()
    {
        Assert.Equal("'not-a-project' is not a project id (a lower-case UUID).",
            ControlPlaneAnswers.PullError(Pull(new Dictionary<string, string> { ["not-a-project"] = "YQ==" }), OrganizationId));
        Assert.Equal($"the document of project {ProjectA} is not base64.",
            ControlPlaneAnswers.PullError(Pull(new Dictionary<string, string> { [ProjectA] = "not base64!" }), OrganizationId));
        Assert.Equal("gateway_state must be an object or null.",
            ControlPlaneAnswers.PullError(Pull(gatewayState: JsonDocument.Parse("[1]").RootElement), OrganizationId));
    }

    private static OrganizationConfig Config() => new()
    {
        OrganizationId = OrganizationId,
        SettingsRevision = 3,
        OrganizationName = "Acme",
        Members = [new GatewayMember("u1", "alice", "owner"), new GatewayMember("u2", "bob", "viewer")],
        Projects = [new GatewayProject(ProjectA, "A")],
        StorageQuotaBytes = 1024,
    };

    private static GatewayConfigResponse Answer() => new(Config())
    {
        AllocationId = "al-1",
        GatewayId = GatewayId,
        GatewayHostname = $"org-{OrganizationId}.demiurge.localhost",
        AllocationToken = "secret",
        InactivityTimeoutSeconds = 300,
        AutosaveIntervalSeconds = 30,
    };

    private static DataPullResponse Pull(IReadOnlyDictionary<string, string>? documents = null, JsonElement? gatewayState = null) =>
        new(OrganizationId, 2, DateTimeOffset.UnixEpoch, new OrganizationDataPayload
        {
            YjsState = documents ?? new Dictionary<string, string> { [ProjectA] = "YQ==" },
            GatewayState = gatewayState,
        });
}
