using Gitops.Engine.Targets;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;

namespace Gitops.Engine.Tests;

/// <summary>The registry of target kinds: which kind <c>local</c> is, and one provider per kind.</summary>
public sealed class ProviderRegistryTests
{
    [Fact]
    public void Local_is_the_first_kind_this_machine_runs()
    {
        var registry = new ProviderRegistry([new FakeKind("first", runsHere: false), new FakeKind("second", runsHere: true)], []);

        Assert.Equal("second", registry.LocalTarget()?.Kind);
    }

    [Fact]
    public void With_no_kind_running_here_local_is_the_first_kind_so_that_using_it_says_what_is_missing()
    {
        var platform = PlatformConfig.Load(Path.GetTempPath() + Guid.NewGuid().ToString("N"), new ProviderRegistry([new FakeKind("first", runsHere: false), new FakeKind("second", runsHere: false)], []));

        Assert.Equal("first", platform.Target("local").Kind);
    }

    [Fact]
    public void A_kind_registered_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ProviderRegistry([new FakeKind("docker", runsHere: true), new FakeKind("docker", runsHere: false)], []));

        Assert.Contains("'docker' is registered twice", error.Message, StringComparison.Ordinal);
    }

    private sealed class FakeKind(string name, bool runsHere) : ITargetProvider
    {
        public string Kind => name;

        public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems) => new Options();

        public object? DetectLocal() => runsHere ? new Options() : null;

        public string Describe(TargetConfig target) => name;

        public TargetConnection Connect(TargetConfig target) => throw new InvalidOperationException("not connected in these tests");
    }

    private sealed record Options;
}
