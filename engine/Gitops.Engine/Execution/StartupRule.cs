using System.Globalization;
using Gitops.Engine.Desired;

namespace Gitops.Engine.Execution;

/// <summary>What the engine said about a replica at one moment; null when the container is gone.</summary>
/// <param name="StartedAt">When its process last started, as the engine reports it: a restart changes it.</param>
public sealed record ReplicaState(bool Running, bool Restarting, long ExitCode, long RestartCount, string StartedAt);

/// <summary>
/// When a new replica counts as started. With an HTTP health check: once the check passes. Without
/// one: once it has stayed up for <see cref="MinimumUptime"/>, since "running" a moment after the
/// start says nothing (a command that exits after a second, restarted by the engine's restart
/// policy, looks running most of the time). Either way a replica that exited or was restarted
/// since its start has not started: it fails the rollout, and the old replicas keep serving.
/// </summary>
public static class StartupRule
{
    /// <summary>How long a replica without a health check must stay up, its restart count unchanged.</summary>
    public static readonly TimeSpan MinimumUptime = TimeSpan.FromSeconds(3);

    /// <summary>How long the replica must stay up before it counts as started; zero when its health check decides.</summary>
    public static TimeSpan UptimeRequired(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Health is null ? MinimumUptime : TimeSpan.Zero;
    }

    /// <summary>
    /// Why the replica, first seen as <paramref name="first"/> right after its start and now seen as
    /// <paramref name="now"/>, <paramref name="elapsed"/> later, has not stayed up; null while it has.
    /// </summary>
    public static string? Broken(ReplicaState? first, ReplicaState? now, TimeSpan elapsed)
    {
        var within = elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        if (now is null)
        {
            return $"the container is gone within {within}s";
        }

        // An engine reports a replica waiting to be restarted as running and restarting.
        if (!now.Running || now.Restarting)
        {
            return $"exited with code {now.ExitCode.ToString(CultureInfo.InvariantCulture)} within {within}s";
        }

        if (first is null)
        {
            return null;
        }

        // Some engines do not count every restart; a new start time shows it all the same.
        var restarts = Math.Max(now.RestartCount - first.RestartCount, now.StartedAt == first.StartedAt ? 0 : 1);
        return restarts > 0
            ? $"restarted {restarts.ToString(CultureInfo.InvariantCulture)} {(restarts == 1 ? "time" : "times")} within {within}s"
            : null;
    }
}
