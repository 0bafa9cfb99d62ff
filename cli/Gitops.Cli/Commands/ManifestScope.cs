using Gitops.Schema.Loading;

namespace Gitops.Cli.Commands;

/// <summary>The project and environment a command works on when not named: read from the paas.yaml in <c>--dir</c>.</summary>
internal static class ManifestScope
{
    public static string Project(string dir) =>
        ManifestLoader.LoadPath(dir).Manifest?.Project ?? throw new CliException(ExitCodes.Usage, $"say which project with --project (no readable paas.yaml in {dir})");

    /// <summary>The manifest's only environment; with several (or no manifest) the user must say which.</summary>
    public static string Environment(string dir)
    {
        var loaded = File.Exists(Path.Combine(dir, "paas.yaml")) || File.Exists(dir) ? ManifestLoader.LoadPath(dir) : null;
        return loaded is { Environments.Count: 1 } ? loaded.Environments.Keys.Single()
            : throw new CliException(ExitCodes.Usage, loaded is null ? "say which environment with --env" : $"say which environment with --env: {string.Join(", ", loaded.Environments.Keys)}");
    }
}
