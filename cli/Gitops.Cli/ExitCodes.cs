namespace Gitops.Cli;

/// <summary>The CLI's exit codes: scripts branch on them, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The input (a manifest, a directory, a template name) is wrong; the message says where.</summary>
    public const int InvalidInput = 1;

    /// <summary>The command line itself is wrong: unknown verb or option, missing value.</summary>
    public const int Usage = 2;

    /// <summary>The operation ran and failed: the engine is unreachable, or an apply failed or rolled back.</summary>
    public const int Failed = 3;
}
