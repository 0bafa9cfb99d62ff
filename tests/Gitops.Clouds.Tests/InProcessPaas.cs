using Gitops.Cli;

namespace Gitops.Clouds.Tests;

/// <summary>The paas command run in this process against a data directory, as the worlds of the cloud tests run it.</summary>
internal static class InProcessPaas
{
    /// <param name="input">What the user types or pipes in (a secret's value, a cloud tool's credentials).</param>
    public static CliRun Run(string dataDirectory, string input, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        var code = PaasCli.Run([.. args, "--data-dir", dataDirectory], CliConsole.Plain(output, error), reader);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
