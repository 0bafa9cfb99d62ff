using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

public sealed class StateStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-state-").FullName;

    [Fact]
    public void A_second_process_is_refused_while_the_store_is_open()
    {
        using var first = StateStore.Open(_directory);

        var error = Assert.Throws<StateLockedException>(() => StateStore.Open(_directory));

        Assert.Contains("in use by another paas process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recording_moves_the_version_on_and_survives_reopening()
    {
        using (var store = StateStore.Open(_directory))
        {
            store.AddToInventory("shop", "dev", "paas-shop-dev");
            store.Record("shop", "dev", store.Recorded("shop", "dev") with { Revision = "r1" });
            store.Record("shop", "dev", store.Recorded("shop", "dev") with { Revision = "r2" });
        }

        using var reopened = StateStore.Open(_directory);
        var recorded = reopened.Recorded("shop", "dev");
        Assert.Equal(2, recorded.Version);
        Assert.Equal("r2", recorded.Revision);
        Assert.Equal(ValueList.Of("paas-shop-dev"), recorded.Inventory);
        Assert.Equal(RecordedState.Empty, reopened.Recorded("shop", "prod"));
    }

    [Fact]
    public void History_lists_newest_first_per_environment()
    {
        using var store = StateStore.Open(_directory);
        var start = DateTimeOffset.UtcNow;
        foreach (var (id, env, minutes) in new[] { ("d1", "dev", 0), ("d2", "dev", 1), ("d3", "prod", 2) })
        {
            store.SaveDeployment(new Deployment { Id = id, Project = "shop", Environment = env, Revision = "r", Trigger = "test", PlanText = "", StartedAt = start.AddMinutes(minutes) });
        }

        Assert.Equal(["d2", "d1"], store.History("shop", "dev").Select(d => d.Id));
        Assert.Equal(["d3"], store.History("shop", "prod").Select(d => d.Id));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
