using System.Diagnostics.Metrics;

namespace Gitops.Engine.Events;

/// <summary>
/// The platform's figures, from its events, on one <see cref="Meter"/> that OpenTelemetry exports
/// (the server serves them on <c>/metrics</c> in Prometheus' text format): deploys by outcome and
/// target kind, their durations, reconciles, drift, degraded health and target errors.
/// </summary>
public sealed class PlatformMetrics : IEventSink, IDisposable
{
    public const string MeterName = "Gitops.Paas";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _deploys;
    private readonly Histogram<double> _durations;
    private readonly Counter<long> _reconciles;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _drift;
    private readonly Counter<long> _degraded;
    private readonly Counter<long> _targetErrors;
    private readonly Counter<long> _scaled;
    private readonly Counter<long> _cronRuns;

    /// <param name="queueDepth">Projects waiting for a reconcile, read at each scrape.</param>
    public PlatformMetrics(Func<int>? queueDepth = null)
    {
        _deploys = _meter.CreateCounter<long>("paas.deploys", description: "Deploys finished, by outcome and kind of target.");
        _durations = _meter.CreateHistogram<double>("paas.deploy.duration", unit: "s", description: "How long deploys took, from plan applied to finished.");
        _reconciles = _meter.CreateCounter<long>("paas.reconciles", description: "Reconcile passes finished (one per project and trigger).");
        _outcomes = _meter.CreateCounter<long>("paas.reconcile.outcomes", description: "Environments reconciled, by outcome.");
        _drift = _meter.CreateCounter<long>("paas.drift", description: "Environments found changed behind the platform's back, then repaired.");
        _degraded = _meter.CreateCounter<long>("paas.health.degraded", description: "Services found running fewer ready instances than they should.");
        _targetErrors = _meter.CreateCounter<long>("paas.target.errors", description: "Errors a target returned, by kind of target and of error.");
        _scaled = _meter.CreateCounter<long>("paas.autoscale.changes", description: "Replica counts the platform's autoscaler changed, by service and direction.");
        _cronRuns = _meter.CreateCounter<long>("paas.cron.runs", description: "Cron runs ended, by cron and outcome (succeeded or failed).");
        if (queueDepth is not null)
        {
            _meter.CreateObservableGauge("paas.queue.depth", queueDepth, description: "Projects waiting for a reconcile.");
        }
    }

    public void Publish(PlatformEvent platformEvent)
    {
        ArgumentNullException.ThrowIfNull(platformEvent);
        // Per project and environment, as Argo CD labels its applications: a platform has few, and a
        // dashboard asks "how is shop/production doing", not only "how is the platform doing".
        var kind = new KeyValuePair<string, object?>("target_kind", platformEvent.TargetKind ?? "unknown");
        var project = new KeyValuePair<string, object?>("project", platformEvent.Project);
        var environment = new KeyValuePair<string, object?>("environment", platformEvent.Environment);
        switch (platformEvent.Name)
        {
            case PlatformEvent.DeploySucceeded or PlatformEvent.DeployFailed or PlatformEvent.DeployRolledBack:
                var outcome = new KeyValuePair<string, object?>("outcome", platformEvent.Name["deploy.".Length..]);
                _deploys.Add(1, outcome, kind, project, environment);
                if (platformEvent.Duration is { } duration)
                {
                    _durations.Record(duration.TotalSeconds, outcome, kind, project, environment);
                }

                break;
            case PlatformEvent.CronSucceeded or PlatformEvent.CronFailed:
                _cronRuns.Add(1, project, environment, new KeyValuePair<string, object?>("cron", platformEvent.Service), new KeyValuePair<string, object?>("outcome", platformEvent.Name["cron.".Length..]));
                break;
            case PlatformEvent.DriftDetected:
                _drift.Add(1, kind, project, environment);
                break;
            case PlatformEvent.HealthDegraded:
                _degraded.Add(1, kind, project, environment, new KeyValuePair<string, object?>("service", platformEvent.Service));
                break;
            case PlatformEvent.ServiceScaled:
                _scaled.Add(1, kind, project, environment, new KeyValuePair<string, object?>("service", platformEvent.Service), new KeyValuePair<string, object?>("direction", platformEvent.Detail?.StartsWith("up", StringComparison.Ordinal) == true ? "up" : "down"));
                break;
            case PlatformEvent.TargetError:
                _targetErrors.Add(1, kind, project, environment, new KeyValuePair<string, object?>("error", platformEvent.Detail ?? "other"));
                break;
        }
    }

    /// <summary>One reconcile pass finished.</summary>
    public void Reconciled() => _reconciles.Add(1);

    /// <summary>One environment's reconcile ended with <paramref name="outcome"/>.</summary>
    public void Reconciled(string project, string environment, string outcome) =>
        _outcomes.Add(1, new("outcome", outcome), new("project", project), new("environment", environment));

    public void Dispose() => _meter.Dispose();
}
