using Gitops.Schema.Diagnostics;

namespace Gitops.Schema.Import;

public enum ComposeNoteKind
{
    /// <summary>The key's meaning is not in paas.yaml at all.</summary>
    NotCarried,

    /// <summary>The key is in paas.yaml, in a different form or with a different effect.</summary>
    Changed,
}

/// <summary>One Compose key that paas.yaml does not hold as Compose meant it, and why.</summary>
/// <param name="Service">The Compose service's name as written; empty for a top-level key.</param>
/// <param name="Key">The key's path inside the service (or the file), e.g. <c>privileged</c>, <c>healthcheck.start_interval</c>.</param>
/// <param name="Value">The value as written, shortened; null when the key alone says it.</param>
public sealed record ComposeNote(ComposeNoteKind Kind, string Service, string Key, string? Value, string Reason, SourceLocation Location)
{
    public override string ToString()
    {
        var what = Value is null ? Key : $"{Key}: {Value}";
        var verdict = Kind == ComposeNoteKind.NotCarried ? "is not carried over" : "is carried with a change";
        return $"{(Service.Length == 0 ? "(top level)" : Service)}: {what} {verdict}: {Reason}";
    }
}

/// <summary>
/// What <c>paas import</c> needs besides the Compose text. The importer itself touches no file:
/// the caller reads the env files it asks for.
/// </summary>
public sealed record ComposeImportOptions
{
    /// <summary>The project name asked for (--project); checked against the name grammar, never changed.</summary>
    public string? Project { get; init; }

    /// <summary>Where a project name comes from when neither --project nor Compose's <c>name:</c> gives one (the directory's name); normalized.</summary>
    public string FallbackProject { get; init; } = "app";

    /// <summary>
    /// The Compose file's directory relative to the directory paas.yaml is written in (build contexts
    /// are relative to the first, paas.yaml's to the second); <c>.</c> when they are the same.
    /// </summary>
    public string ComposeDirectory { get; init; } = ".";

    /// <summary>The file name paas.yaml is validated under (errors name it).</summary>
    public string ManifestFile { get; init; } = "paas.yaml";

    /// <summary>Reads a file named relative to the Compose file's directory (env_file, .env); null when it does not exist.</summary>
    public Func<string, string?> ReadFile { get; init; } = _ => null;
}

/// <summary>The paas.yaml text (null when the Compose file could not be read) and what could not be carried over.</summary>
public sealed record ComposeImportResult(
    string? Manifest,
    string Project,
    IReadOnlyList<string> Services,
    IReadOnlyList<ComposeNote> Notes,
    IReadOnlyList<Diagnostic> Errors)
{
    public bool Succeeded => Manifest is not null && Errors.Count == 0;

    /// <summary>Every secret the services need before they can deploy, as (service, name).</summary>
    public IReadOnlyList<(string Service, string Name)> Secrets { get; init; } = [];

    public IEnumerable<ComposeNote> NotCarried => Notes.Where(n => n.Kind == ComposeNoteKind.NotCarried);

    public IEnumerable<ComposeNote> Changed => Notes.Where(n => n.Kind == ComposeNoteKind.Changed);

    public static ComposeImportResult Failed(IReadOnlyList<Diagnostic> errors) => new(null, "", [], [], errors);
}
