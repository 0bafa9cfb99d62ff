using System.Text.RegularExpressions;

namespace Gitops.Schema.Validation;

/// <summary>The grammars names and values must match. Strict on purpose: names end up in container
/// names, DNS labels, labels and file paths, so nothing a shell or a path could misread gets in.</summary>
public static partial class Grammar
{
    /// <summary>Project, service, cron, environment, volume and target names: a DNS label.</summary>
    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    public static partial Regex Name();

    /// <summary>Environment variable, build argument and secret names.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    public static partial Regex EnvKey();

    /// <summary>A Git branch name (a conservative subset of git-check-ref-format).</summary>
    [GeneratedRegex(@"^(?!-)(?!/)(?!.*\.\.)(?!.*//)(?!.*@\{)(?!.*\.lock$)(?!.*/$)[A-Za-z0-9._/-]{1,200}$")]
    public static partial Regex Branch();

    /// <summary>A host name, optionally with one leading wildcard label.</summary>
    [GeneratedRegex(@"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")]
    public static partial Regex Domain();

    /// <summary>An image reference: [registry[:port]/]path[:tag][@sha256:digest].</summary>
    [GeneratedRegex(@"^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    public static partial Regex ImageReference();

    /// <summary>A notify channel or backup destination defined on the platform.</summary>
    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    public static partial Regex PlatformObjectName();
}
