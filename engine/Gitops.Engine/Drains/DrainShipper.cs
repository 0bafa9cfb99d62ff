namespace Gitops.Engine.Drains;

/// <summary>A drain as <c>paas logs --stats</c> shows it: where it ships, what it holds, what it lost, whether it fails.</summary>
public sealed record DrainStatus(string Name, DrainKind Kind, string Url, long Shipped, DateTimeOffset? LastShipped, long PendingBytes, long Dropped, DateTimeOffset? FailingSince, string? LastError);

/// <summary>
/// Ships one drain's buffer: a batch at a time, the cursor moved only when the far end took it; a
/// failure keeps the batch and tries again backing off from 1 s to 10 s, so an outage delays lines
/// and never loses them while the buffer holds (<see cref="DrainBuffer"/> counts what a full one drops).
/// </summary>
public sealed class DrainShipper(string name, DrainConfig config, DrainBuffer buffer, IDrainSender sender, TimeProvider clock)
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MostBackoff = TimeSpan.FromSeconds(10);
    private long _shipped;
    private DateTimeOffset? _lastShipped;
    private DateTimeOffset? _failingSince;
    private string? _lastError;

    public string Name => name;

    public DrainConfig Config => config;

    public DrainBuffer Buffer => buffer;

    public DrainStatus Status()
    {
        var held = buffer.Stats();
        return new DrainStatus(name, config.Kind, new Uri(config.Url!).GetLeftPart(UriPartial.Path), Interlocked.Read(ref _shipped), _lastShipped, held.PendingBytes, held.Dropped, _failingSince, _lastError);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            var (batch, next) = buffer.Read(config.Batch);
            if (batch.Count == 0)
            {
                await Task.Delay(Idle, clock, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await sender.SendAsync(batch, cancellationToken).ConfigureAwait(false);
                buffer.Commit(next);
                Interlocked.Add(ref _shipped, batch.Count);
                (_lastShipped, _failingSince, _lastError, backoff) = (clock.GetUtcNow(), null, null, TimeSpan.FromSeconds(1));
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                _failingSince ??= clock.GetUtcNow();
                _lastError = e is TaskCanceledException ? "no answer within 30 s" : e.Message;
                await Task.Delay(backoff, clock, cancellationToken).ConfigureAwait(false);
                backoff = backoff * 2 > MostBackoff ? MostBackoff : backoff * 2;
            }
        }
    }
}
