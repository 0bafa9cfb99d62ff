namespace Gitops.Engine.State;

/// <summary>One line of a deployment's log: <c>build</c> output or a <c>deploy</c> step.</summary>
public sealed record LogLine(DateTimeOffset At, string Stream, string Text);
