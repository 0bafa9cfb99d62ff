using System.Threading.Channels;

namespace Gitops.Server;

/// <summary>
/// Level-triggered work: polls and webhooks only enqueue a project key; a key already waiting is
/// not queued twice, and the worker reconciles one key at a time (DESIGN §3 rule 7).
/// </summary>
public sealed class ReconcileQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Projects waiting for a reconcile.</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <returns>False when the key was already waiting.</returns>
    public bool Enqueue(string project)
    {
        lock (_gate)
        {
            if (!_waiting.Add(project))
            {
                return false;
            }
        }

        return _channel.Writer.TryWrite(project);
    }

    public async ValueTask<string> DequeueAsync(CancellationToken cancellationToken)
    {
        var project = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _waiting.Remove(project);
        }

        return project;
    }
}
