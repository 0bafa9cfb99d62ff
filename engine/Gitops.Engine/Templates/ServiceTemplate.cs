using Gitops.Schema.Model;

namespace Gitops.Engine.Templates;

/// <summary>A value a service may give a template (<c>parameters:</c>), and the one it has otherwise.</summary>
public sealed record TemplateParameter(string Default, string Description);

/// <summary>The template's own health check: a command run in the replica.</summary>
public sealed record TemplateHealth(ValueList<string> Command, Duration Interval, Duration Timeout, int Retries);

/// <summary>
/// How a template's data is backed up: a logical dump written to stdout by a command run in the
/// service's replica, restored by a command reading it from stdin, and checked by a command whose
/// output is recorded (a count a person can compare).
/// </summary>
public sealed record TemplateBackup(string Format, ValueList<string> Dump, ValueList<string> Restore, ValueList<string>? Check);

/// <summary>
/// One entry of the catalogue (a YAML file): what a <c>template:</c> service runs. Texts may hold
/// placeholders: <c>{parameter}</c>, <c>{generated}</c> (a credential made once per environment and
/// kept in the encrypted store) and <c>{host}</c> (the service's name on the project network).
/// </summary>
public sealed record ServiceTemplate
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>The image, usually <c>name:{version}</c>.</summary>
    public required string Image { get; init; }

    public IReadOnlyDictionary<string, TemplateParameter> Parameters { get; init; } = new Dictionary<string, TemplateParameter>();

    public required int Port { get; init; }

    /// <summary>Volume name → path: where the data lives.</summary>
    public ValueMap<string> Volumes { get; init; } = ValueMap<string>.Empty;

    /// <summary>Plain environment of the service; never a generated credential.</summary>
    public ValueMap<string> Env { get; init; } = ValueMap<string>.Empty;

    /// <summary>Credentials generated once per environment: 32 letters and digits each.</summary>
    public ValueList<string> Generate { get; init; } = ValueList<string>.Empty;

    /// <summary>Environment of the service that holds a credential: given as secrets.</summary>
    public ValueMap<string> SecretEnv { get; init; } = ValueMap<string>.Empty;

    public ValueList<string>? Command { get; init; }

    /// <summary>The user the image's server runs as (the official images' 999:999), so it never starts as root.</summary>
    public string? User { get; init; }

    public TemplateHealth? Health { get; init; }

    /// <summary>Null: the template cannot be backed up yet, and <c>backup:</c> on its services is refused.</summary>
    public TemplateBackup? Backup { get; init; }

    /// <summary>What every service that lists this one in <c>dependsOn</c> receives: secrets when they hold a credential, plain environment otherwise.</summary>
    public ValueMap<string> Exports { get; init; } = ValueMap<string>.Empty;

    /// <summary>Where the template was read from: <c>built-in</c> or its file.</summary>
    public string Source { get; init; } = "built-in";
}
