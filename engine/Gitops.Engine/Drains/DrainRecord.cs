namespace Gitops.Engine.Drains;

/// <summary>One line a drain ships.</summary>
/// <param name="Log"><c>runtime</c> (a service's output) or <c>deploy</c> (a deployment's log).</param>
/// <param name="Source">runtime: the replica (<c>web-2</c>); deploy: the deployment id.</param>
/// <param name="Service">runtime: the service; deploy: null.</param>
/// <param name="Stream">runtime: stdout or stderr; deploy: the log's stream (build, deploy…).</param>
public sealed record DrainRecord(DateTimeOffset Time, string Log, string Project, string Environment, string? Service, string Source, string Stream, string Message);
