using Gitops.Cli;

namespace Gitops.Tests;

/// <summary>Runs the CLI in-process, capturing what a terminal would show.</summary>
public sealed partial record CliRun
{
    public static CliRun Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run(args, CliConsole.Plain(output, error));
        return JsonOutputCheck.Checked(args, new CliRun(code, output.ToString(), error.ToString()));
    }
}
