namespace Gitops.Tests;

/// <summary>What a terminal showed for one paas command: its exit code, standard output and standard error.</summary>
public sealed partial record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Asserts exit 0, and on failure shows what the terminal said (an exit code alone does not say why).</summary>
    public CliRun Succeeded()
    {
        Xunit.Assert.True(ExitCode == 0, ToString());
        return this;
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
