using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Drains;

/// <summary>
/// platform.yaml's drains as they run under the server: one buffer and shipper per drain (buffers
/// under <c>drains/NAME/</c> in the data directory), fed by one <see cref="DrainFeeder"/>.
/// </summary>
public sealed class LogDrains : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly DrainFeeder _feeder;
    private readonly Dictionary<string, IDrainSender> _senders;

    public LogDrains(StateStore state, PlatformConfig platform, string dataDirectory, Func<string, string, TargetConnection> connect, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _senders = platform.Drains.ToDictionary(d => d.Key, d => DrainSenders.For(d.Value, _http), StringComparer.Ordinal);
        Shippers = platform.Drains.Select(d => new DrainShipper(d.Key, d.Value, Buffer(dataDirectory, d.Key, d.Value), _senders[d.Key], clock)).ToList();
        _feeder = new DrainFeeder(state, platform, connect, Shippers, clock);
    }

    public IReadOnlyList<DrainShipper> Shippers { get; }

    public IReadOnlyList<DrainStatus> Status() => Shippers.Select(s => s.Status()).ToList();

    /// <summary>Feeds and ships until stopped; nothing at all without drains.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Shippers.Count == 0 ? Task.CompletedTask : Task.WhenAll(Shippers.Select(s => s.RunAsync(cancellationToken)).Append(_feeder.RunAsync(cancellationToken)));

    /// <summary>A drain's buffer in the data directory (what <c>paas logs --stats</c> reads without a server).</summary>
    public static DrainBuffer Buffer(string dataDirectory, string name, DrainConfig drain)
    {
        ArgumentNullException.ThrowIfNull(drain);
        return new DrainBuffer(Path.Combine(dataDirectory, "drains", name), drain.Buffer.Bytes);
    }

    public void Dispose()
    {
        foreach (var sender in _senders.Values.OfType<IDisposable>())
        {
            sender.Dispose(); // a syslog drain's connection
        }

        _http.Dispose();
    }
}
