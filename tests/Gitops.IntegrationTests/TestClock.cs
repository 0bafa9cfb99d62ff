using Gitops.Engine.Events;

namespace Gitops.IntegrationTests;

/// <summary>A clock the test sets: schedulers see the time it says.</summary>
internal sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Every event published, in order.</summary>
internal sealed class RecordedEvents : IEventSink
{
    public List<PlatformEvent> Seen { get; } = [];

    public void Publish(PlatformEvent platformEvent) => Seen.Add(platformEvent);
}
