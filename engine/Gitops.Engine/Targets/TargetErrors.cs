namespace Gitops.Engine.Targets;

/// <summary>
/// A target's failure as the engine sees it, whatever the provider's client threw. Providers
/// translate their own errors at their boundary; the engine, server and CLI catch only these.
/// Derives from <see cref="InvalidOperationException"/>: a failed step fails its deployment.
/// </summary>
public abstract class TargetException(string message, Exception? inner) : InvalidOperationException(message, inner);

/// <summary>The target does not answer (socket missing, connection refused, timeout, 5xx).</summary>
public sealed class TargetUnavailableException(string message, Exception? inner = null) : TargetException(message, inner);

/// <summary>The object exists under that name and is not this environment's, or changed under our feet.</summary>
public sealed class TargetConflictException(string message, Exception? inner = null) : TargetException(message, inner);

/// <summary>The request was refused: by the platform's policy, or by the target's own rules (4xx).</summary>
public sealed class TargetRefusedException(string message, Exception? inner = null) : TargetException(message, inner);
