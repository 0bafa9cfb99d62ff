namespace Gitops.Clouds.Tests;

/// <summary>A missing moto (or aws CLI, Docker, registry) never passes silently.</summary>
public sealed class NeedsTests
{
    [Fact]
    public void Missing_moto_fails_the_test_where_engines_are_required_and_skips_it_with_the_reason_elsewhere()
    {
        var failed = Assert.Throws<Xunit.Sdk.FailException>(() => Needs.Missing("moto_server is not on PATH", required: true));
        Exception? skipped = null;
        try
        {
            Needs.Missing("moto_server is not on PATH", required: false);
        }
        catch (Exception e)
        {
            skipped = e; // caught here: the assertion helpers pass a skip on to the runner
        }

        Assert.Equal("PAAS_REQUIRE_ENGINES=1 and moto_server is not on PATH", failed.Message);
        Assert.NotNull(skipped);
        Assert.IsNotType<Xunit.Sdk.FailException>(skipped);
        Assert.Contains("moto_server is not on PATH", skipped.Message, StringComparison.Ordinal);
    }
}
