namespace Gitops.Schema.Diagnostics;

/// <summary>One problem found in a manifest: where, a stable code, and a plain message.</summary>
/// <param name="Path">The field's path in the manifest (e.g. <c>services.web.port</c>), empty for file-level problems.</param>
public sealed record Diagnostic(string Code, string Message, SourceLocation Location, string Path = "")
{
    public override string ToString() => $"{Location}: {Code} {Message}";
}
