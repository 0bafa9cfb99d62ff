using System.Diagnostics;

namespace Gitops.IntegrationTests;

/// <summary>
/// Puts the engine's own ACCEPT rule for a container's traffic at the top of iptables' FORWARD
/// chain, above anything the platform inserted, as a fresh machine has it once Docker or netavark
/// (re)create their chains: on Podman netavark's jump (<c>NETAVARK_FORWARD</c> accepts whatever
/// leaves a Podman subnet), on Docker Docker's accept of what leaves the container's bridge.
/// Disposing deletes exactly the rule inserted here (it carries a comment unique to this test).
/// </summary>
internal sealed class EngineRulesFirst : IAsyncDisposable
{
    private readonly List<string[]> rules = [];

    /// <summary>On Docker, the accept rule goes in for each container's bridge (both directions of a connection).</summary>
    public static async Task<EngineRulesFirst> InsertAsync(EngineWorld world, params string[] containers)
    {
        var inserted = new EngineRulesFirst();
        var mark = $"paas-test-{Guid.NewGuid():N}";
        if (world.Kind == Gitops.Providers.Docker.EngineKind.Podman)
        {
            await inserted.InsertFirstAsync(["FORWARD", "-m", "comment", "--comment", mark, "-j", "NETAVARK_FORWARD"]);
            return inserted;
        }

        foreach (var container in containers)
        {
            var network = (await world.Client.Containers.InspectContainerAsync(container)).NetworkSettings!.Networks.Single().Value.NetworkID;
            var bridge = $"br-{network[..12]}";
            await inserted.InsertFirstAsync(["FORWARD", "-i", bridge, "!", "-o", bridge, "-m", "comment", "--comment", mark, "-j", "ACCEPT"]);
        }

        return inserted;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var rule in rules)
        {
            Assert.Equal(0, await IptablesAsync(["-D", .. rule]));
        }
    }

    private async Task InsertFirstAsync(string[] rule)
    {
        Assert.Equal(0, await IptablesAsync(["-I", rule[0], "1", .. rule[1..]]));
        rules.Add(rule);
    }

    private static async Task<int> IptablesAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("iptables") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-w");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
