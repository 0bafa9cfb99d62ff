using Gitops.Engine.State;

namespace Gitops.Engine.Sources;

public sealed record PromotionResult(string PromotionBranch, string Commit, string TargetBranch, bool Merged, string Message, string? PullRequest = null);

/// <summary>
/// Promotion is Git: the commit that runs in the source environment goes onto a promotion branch,
/// and reaches the target environment's branch by a pull request, or by a fast-forward when asked
/// (<c>--merge</c>). The target then deploys the same tree, so the same image (same build inputs,
/// same tag): nothing is rebuilt between environments.
/// </summary>
public sealed class Promoter(StateStore state, GitSource git)
{
    public PromotionResult Promote(string project, string from, string to, bool merge)
    {
        var repository = new RepositoryRegistry(state).List().FirstOrDefault(r => r.Project == project)
            ?? throw new InvalidOperationException($"no watched repository for project '{project}' (paas repo add)");
        var commit = state.Recorded(project, from).Revision;
        if (commit is null || commit.StartsWith("local-", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{project}/{from} runs no commit deployed from Git yet; nothing to promote");
        }

        var credentials = new RepositoryCredentials(state);
        var credential = credentials.Of(project);
        git.Fetch(project, repository.Url, credential, keys => credentials.PinHostKeys(project, keys));
        credential = credentials.Of(project); // the pushes trust the host key this fetch pinned
        var manifest = git.Open(project, commit).LoadManifest();
        if (!manifest.IsValid || !manifest.Manifest!.Environments.TryGetValue(to, out var target))
        {
            throw new InvalidOperationException($"the manifest at {commit[..12]} declares no environment '{to}'");
        }

        var promotion = $"promote/{from}-to-{to}-{commit[..8]}";
        git.PushBranch(project, repository.Url, commit, promotion, credential);
        if (!merge)
        {
            return new PromotionResult(promotion, commit, target.Branch, false,
                $"pushed {promotion} at {commit[..12]}; open a pull request from it into {target.Branch} (no forge is configured to open it for you)");
        }

        if (!git.IsFastForward(project, target.Branch, commit))
        {
            throw new InvalidOperationException($"{target.Branch} has commits that {from} does not run, so it cannot be fast-forwarded; merge {promotion} into {target.Branch} with a pull request");
        }

        git.PushBranch(project, repository.Url, commit, target.Branch, credential);
        return new PromotionResult(promotion, commit, target.Branch, true,
            $"fast-forwarded {target.Branch} to {commit[..12]} (what {from} runs); the next sync deploys it to {to} with the same image");
    }
}
