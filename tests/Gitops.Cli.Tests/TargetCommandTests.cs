using System.Text.Json.Nodes;
using Gitops.Tests;

namespace Gitops.Cli.Tests;

/// <summary><c>paas target</c> on a platform whose targets are reached by their options alone: they keep no credentials.</summary>
public sealed class TargetCommandTests
{
    [Fact]
    public void A_target_reached_by_its_options_refuses_stored_credentials_and_keeps_none()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(data, "platform.yaml"), "targets:\n  edge: { kind: podman, socket: /run/no-such/podman.sock }\n");

        var refused = Run(data, "my-password-123", "target", "credentials", "edge");
        var listed = Run(data, "", "target", "list", "-o", "json");

        Assert.Equal(ExitCodes.InvalidInput, refused.ExitCode);
        Assert.Contains("target edge (podman): a podman target keeps no credentials in the platform", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("my-password-123", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, listed.ExitCode);
        var edge = JsonNode.Parse(listed.Output)!["targets"]!.AsArray().Single(t => (string?)t!["name"] == "edge")!;
        Assert.Equal("podman", (string?)edge["kind"]);
        Assert.Contains("/run/no-such/podman.sock", (string?)edge["where"], StringComparison.Ordinal);
        Assert.Null(edge["credentialsStoredAt"]);
    }

    [Fact]
    public void Forgetting_credentials_that_were_never_stored_says_so()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(data, "platform.yaml"), "targets:\n  edge: { kind: podman, socket: /run/no-such/podman.sock }\n");

        var forgot = Run(data, "", "target", "forget", "edge");

        Assert.Equal(ExitCodes.InvalidInput, forgot.ExitCode);
        Assert.Contains("target edge has no stored credentials", forgot.Output + forgot.Error, StringComparison.Ordinal);
    }

    private static CliRun Run(string data, string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        var code = PaasCli.Run([.. args, "--data-dir", data], CliConsole.Plain(output, error), reader);
        return JsonOutputCheck.Checked(args, new CliRun(code, output.ToString(), error.ToString()));
    }
}
