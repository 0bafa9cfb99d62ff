using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>Takes project keys off the queue and reconciles them, one at a time.</summary>
public sealed class ReconcileWorker(ReconcileQueue queue, StateStore state, PlatformConfig platform, ServerOptions options, PlatformMetrics metrics, Gitops.Engine.Notifications.NotificationSink notify, ILogger<ReconcileWorker> logger) : BackgroundService
{
    /// <summary>Reconcile passes this worker finished (/metrics counts them for the whole process).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    private long _completed;

    // Cancels a reconcile in flight only when the host's shutdown grace runs out (see StopAsync).
    private readonly CancellationTokenSource _abort = new();
    private string? _inFlight;

    // One change to the engine at a time: a reconcile, or a rollback asked for through the API.
    private readonly SemaphoreSlim _exclusive = new(1, 1);

    /// <summary>Runs <paramref name="work"/> between two reconciles, never beside one.</summary>
    public async Task<T> ExclusiveAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(_abort.Token).ConfigureAwait(false);
        }
        finally
        {
            _exclusive.Release();
        }
    }

    /// <summary>A volume backup's hold: its service stopped between two reconciles, never repaired as drift meanwhile.</summary>
    public Gitops.Engine.Backups.EngineHold Hold => (work, cancellationToken) => ExclusiveAsync(async t =>
    {
        await work(t).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var progress = new LoggingProgress(logger);
        var audit = new Gitops.Engine.Audit.AuditLog(state);
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, options.DataDirectory);
        var hooks = ExecutionHooks.FromEnvironment() with { Events = ServerEvents.Sinks(audit, metrics, notify, logger) };
        var reconciler = new Reconciler(state, new GitSource(Path.Combine(options.DataDirectory, "repos"), platform.AllowFileUrls), platform, ProviderRegistry.Default.Connect, progress, progress, ingress, hooks) { PreviewClock = options.Clock };
        while (!stoppingToken.IsCancellationRequested)
        {
            string project;
            try
            {
                project = await queue.DequeueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await _exclusive.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                _inFlight = project;
                foreach (var result in await reconciler.SyncAsync(project, _abort.Token).ConfigureAwait(false))
                {
                    // A deploy is audited from its event (AuditEventSink); a refused manifest deploys nothing, so here.
                    if (result is { Outcome: ReconcileOutcome.InvalidManifest, First: true })
                    {
                        // A refused manifest (a foreign image, a broken file) is recorded once per commit.
                        audit.Append("system", "apply", $"{result.Project}/{result.Environment} at {result.Commit?[..12]}", $"refused: {(result.Detail.Length > 300 ? result.Detail[..300] + "…" : result.Detail)}");
                    }

                    Log.Reconciled(logger, result.Project, result.Environment, result.Commit, result.Outcome, result.Detail);
                    metrics.Reconciled(result.Project, result.Environment, result.Outcome.ToString().ToLowerInvariant());
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ReconcileFailed(logger, project, e);
            }
            finally
            {
                _inFlight = null;
                _exclusive.Release();
            }

            Interlocked.Increment(ref _completed);
            metrics.Reconciled();
        }
    }

    /// <summary>
    /// A stop lets the reconcile in flight finish, so a restart never cuts a deploy in half; only
    /// when the host's grace runs out is it cancelled (and recovered from its journal at the next start).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_inFlight is { } project)
        {
            Log.StoppingAfterReconcile(logger, project);
        }

        using var graceOver = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        _exclusive.Dispose();
        base.Dispose();
    }

    internal sealed class LoggingProgress(ILogger logger) : IProgress<ExecutorEvent>, IProgress<string>
    {
        public void Report(ExecutorEvent value) => Log.Step(logger, value.Step, value.Detail, (long)value.Duration.TotalMilliseconds);

        public void Report(string value) => Log.Build(logger, value);
    }
}

/// <summary>Enqueues every watched repository on an interval, with jitter so servers do not fetch in lockstep.</summary>
public sealed class Poller(ReconcileQueue queue, StateStore state, ServerOptions options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registry = new RepositoryRegistry(state);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var repository in registry.List())
            {
                queue.Enqueue(repository.Project);
            }

            var jitter = options.PollInterval * (Random.Shared.NextDouble() * 0.2 - 0.1);
            try
            {
                await Task.Delay(options.PollInterval + jitter, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
