using Gitops.Engine.Audit;
using Gitops.Engine.Events;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>Where the server's events go: the audit log, the metrics, the notification outbox and the log.</summary>
internal static class ServerEvents
{
    public static IEventSink Sinks(AuditLog audit, PlatformMetrics metrics, Gitops.Engine.Notifications.NotificationSink notify, ILogger logger) =>
        new EventSinks(new AuditEventSink(audit), metrics, notify, new LoggingEventSink(logger)) { Failed = (e, error) => Log.EventNotTaken(logger, e.Name, e.Project, e.Environment, error) };

    /// <summary>Each platform event as one log line with its named fields.</summary>
    private sealed class LoggingEventSink(ILogger logger) : IEventSink
    {
        public void Publish(PlatformEvent platformEvent) =>
            Log.Event(logger, platformEvent.Name, platformEvent.Project, platformEvent.Environment, platformEvent.Service ?? "-", platformEvent.DeploymentId ?? "-", platformEvent.Detail ?? "-");
    }
}
