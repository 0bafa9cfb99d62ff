namespace Gitops.Engine.Targets;

/// <summary>Where the platform keeps its state: <c>--data-dir</c>, else <c>PAAS_HOME</c>, else <c>~/.paas</c>.</summary>
public static class DataDirectory
{
    public static string Resolve(string? option) =>
        option ?? Environment.GetEnvironmentVariable("PAAS_HOME")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".paas");
}
