namespace Gitops.Engine.Execution;

/// <summary>A step the executor finished, for progress output: one line each, with its timing.</summary>
public sealed record ExecutorEvent(string Step, bool Ok, string Detail, TimeSpan Duration);
