using Gitops.Engine.State;
using Gitops.Server;

namespace Gitops.IntegrationTests;

/// <summary>The webhook seen-list on its own (no engine, no server): by id, by body, across reopening, and expiring.</summary>
public sealed class WebhookDeliveriesTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("paas-deliveries-").FullName;
    private readonly Clock _clock = new();

    [Fact]
    public void A_delivery_is_refused_again_by_its_id_or_by_its_body_even_after_reopening_the_state()
    {
        using (var state = StateStore.Open(_data))
        {
            var seen = new WebhookDeliveries(state, _clock);
            Assert.True(seen.TryRecord("shop", "d1", "body-1"));
            Assert.False(seen.TryRecord("shop", "d1", "body-2")); // same id, other body
            Assert.False(seen.TryRecord("shop", "d2", "body-1")); // same body, new id
            Assert.True(seen.TryRecord("other", "d1", "body-1")); // another project's deliveries are its own
        }

        using var reopened = StateStore.Open(_data);
        Assert.False(new WebhookDeliveries(reopened, _clock).TryRecord("shop", "d3", "body-1"));
        Assert.False(new WebhookDeliveries(reopened, _clock).TryRecord("shop", "d1", "body-3"));
    }

    [Fact]
    public void Records_expire_after_the_window()
    {
        using var state = StateStore.Open(_data);
        var seen = new WebhookDeliveries(state, _clock);
        Assert.True(seen.TryRecord("shop", "d1", "body-1"));

        Assert.False(seen.TryRecord("shop", "d2", "body-1"));
        _clock.Now += WebhookDeliveries.Window + TimeSpan.FromMinutes(1);

        Assert.True(seen.TryRecord("shop", "d1", "body-1"));
        Assert.False(seen.TryRecord("shop", "d2", "body-1")); // and is remembered again from now
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
