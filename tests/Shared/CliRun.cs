namespace Gitops.Tests;

/// <summary>What a terminal showed for one paas command: its exit code, standard output and standard error.</summary>
public sealed partial record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
