using Demiurge.Common;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

public sealed class IdsTests
{
    [Fact]
    public void Parse_CanonicalOrUpperCase_NormalizesToLowerCase()
    {
        var id = Ids.New();
        Assert.Equal(id, Ids.Parse(id));
        Assert.Equal(id, Ids.Parse(id.ToUpperInvariant()));
    }

    // Found by the HTTP fuzzer: Guid.TryParseExact trims, so "DELETE /orgs/{id}%20/..." acted on the organization.
    [Theory]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData("\n")]
    [InlineData("\u00a0")]
    public void Parse_IdWithWhiteSpace_IsNotAnId(string space)
    {
        var id = Ids.New();
        Assert.Null(Ids.Parse(id + space));
        Assert.Null(Ids.Parse(space + id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("{01a235ca-bb76-7beb-a142-852ee4e62eb5}")]
    [InlineData("01a235cabb767beba142852ee4e62eb5")]
    public void Parse_NotTheDashedForm_IsNull(string? value) => Assert.Null(Ids.Parse(value));
}
