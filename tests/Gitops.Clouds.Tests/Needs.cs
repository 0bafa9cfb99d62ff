namespace Gitops.Clouds.Tests;

/// <summary>What these tests need from the machine (moto, the aws CLI, Docker, docker-registry).</summary>
public static class Needs
{
    /// <summary>A real part is missing: fails where PAAS_REQUIRE_ENGINES=1 (CI), else skips saying why (never silently).</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Missing(string problem) => Missing(problem, Environment.GetEnvironmentVariable("PAAS_REQUIRE_ENGINES") == "1");

    /// <param name="required">Whether the run requires real engines (CI's PAAS_REQUIRE_ENGINES=1).</param>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Missing(string problem, bool required)
    {
        if (required)
        {
            Assert.Fail($"PAAS_REQUIRE_ENGINES=1 and {problem}");
        }

        Assert.Skip(problem);
    }
}
