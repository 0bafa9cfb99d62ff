using Gitops.Engine.Execution;
using Gitops.Engine.Planning;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Forges;

/// <summary>
/// The pull request of a promotion, opened on the project's forge: its body is the plan that
/// merging it would apply to the target environment, against what runs there now. One
/// implementation for the CLI and the server.
/// </summary>
public sealed class PromotionPullRequest(StateStore state, PlatformConfig platform, GitSource git)
{
    public async Task<PromotionResult> OpenAsync(ForgeConfig forge, string project, string from, string to, PromotionResult pushed, CancellationToken cancellationToken)
    {
        var tree = git.Open(project, pushed.Commit);
        var manifest = tree.LoadManifest().ForEnvironment(to);
        using var connection = ProviderRegistry.Default.Connect(platform.Target(manifest.Environments[to].Target));
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, state.DataDirectory);
        var prepared = await new Deployer(connection.Driver, connection.Images, state, new SecretStore(state), new Progress<ExecutorEvent>(), new Progress<string>(), ingress, registry: platform.Registry)
            .PlanAsync(tree, manifest, to, cancellationToken).ConfigureAwait(false);
        var body = $"Promotes `{pushed.Commit[..12]}`, what **{from}** runs now, to **{to}**. "
            + $"The images are the ones {from} runs (same build inputs), so nothing is rebuilt.\n\n"
            + $"Plan for {to} against what runs there now:\n\n```\n{PlanText.Render(prepared.Plan)}```\n\nOpened by `paas promote`.";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var request = await new ForgeClient(http).OpenAsync(forge, new Forges(state).Token(project), pushed.PromotionBranch, pushed.TargetBranch,
                $"Promote {project} {from} → {to} ({pushed.Commit[..12]})", body, cancellationToken).ConfigureAwait(false);
            return pushed with
            {
                PullRequest = request.Url,
                Message = $"opened pull request #{request.Number} ({request.Url}) from {pushed.PromotionBranch} into {pushed.TargetBranch}; merging it deploys {to} with the image {from} runs",
            };
        }
        catch (ForgeException e)
        {
            throw new ForgeException($"pushed {pushed.PromotionBranch}, but opening the pull request failed: {e.Message}");
        }
    }
}
