using Gitops.Cli;

namespace Gitops.Clouds.Tests;

/// <summary>The paas CLI run in-process against one data directory, with what the user types and what the terminal showed.</summary>
internal static class InProcessPaas
{
    /// <param name="text">What the user types (a secret's value).</param>
    public static CliRun Run(string dataDirectory, string text, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(text);
        var code = PaasCli.Run([.. args, "--data-dir", dataDirectory], CliConsole.Plain(output, error), input);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
