using System.Globalization;
using Gitops.Engine.Execution;
using Gitops.Engine.Forges;
using Gitops.Engine.Previews;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.Engine.Reconcile;

/// <summary>
/// Preview environments, in short named steps after the branches: the pull requests the webhooks
/// recorded → remove what closed, expired or is no longer allowed → over <c>previews.max</c>, the
/// least recently pushed go → deploy each head as <c>pr-NUMBER</c> like any environment → say the
/// outcome on the pull request (one comment, updated). Settings come from the manifest on the
/// branch the pull request targets, never from the pull request itself.
/// </summary>
public sealed partial class Reconciler
{
    /// <summary>The clock previews' time to live is measured on (the server's; a test moves it ahead).</summary>
    public TimeProvider? PreviewClock { get; init; }

    private async Task<List<ReconcileResult>> ReconcilePreviewsAsync(WatchedRepository repository, Dictionary<string, ManifestLoadResult> branches, CancellationToken cancellationToken)
    {
        var records = new PreviewRecords(state);
        var results = new List<ReconcileResult>();
        var live = new List<(Preview Preview, PreviewSpec Settings)>();
        var now = (PreviewClock ?? _hooks.Clock).GetUtcNow();
        foreach (var preview in records.List(repository.Project))
        {
            var settings = branches.TryGetValue(preview.BaseBranch, out var loaded) && loaded.IsValid ? loaded.Manifest!.Previews : null;
            if (EndOf(preview, settings, now) is { } end)
            {
                results.Add(await RemovePreviewAsync(records, preview, end, cancellationToken).ConfigureAwait(false));
            }
            else if (preview.Fork && !settings!.Forks)
            {
                results.Add(await RefuseForkAsync(records, preview, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                live.Add((preview, settings!));
            }
        }

        var newestFirst = live.OrderByDescending(l => l.Preview.PushedAt).ThenByDescending(l => l.Preview.Number).ToList();
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var (preview, settings) = newestFirst[i];
            results.Add(i >= settings.Max
                ? await RemovePreviewAsync(records, preview, $"more than previews.max ({settings.Max}) previews are open; this one was pushed to least recently", cancellationToken).ConfigureAwait(false)
                : await DeployPreviewAsync(records, repository, preview, settings, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private static string? EndOf(Preview preview, PreviewSpec? settings, DateTimeOffset now) =>
        preview.Closed ? "the pull request was closed"
        : settings is not { Enabled: true } ? $"previews are not enabled in paas.yaml on {preview.BaseBranch}"
        : now - preview.PushedAt > settings.Ttl.Value ? $"no push for {settings.Ttl} (previews.ttl)"
        : null;

    private async Task<ReconcileResult> DeployPreviewAsync(PreviewRecords records, WatchedRepository repository, Preview preview, PreviewSpec settings, CancellationToken cancellationToken)
    {
        var (project, environment) = (preview.Project, preview.Environment);
        var commit = git.FetchRef(project, repository.Url, preview.HeadRef, _credentials.Of(project));
        if (commit is null)
        {
            return await SayAsync(records, preview, new ReconcileResult(project, environment, null, ReconcileOutcome.SourceUnavailable, $"the repository has no {preview.HeadRef}; nothing deployed"), settings, cancellationToken).ConfigureAwait(false);
        }

        var tree = git.Open(project, commit);
        var loaded = tree.LoadManifest();
        if (!loaded.IsValid || loaded.Manifest!.Project != project)
        {
            var why = loaded.IsValid ? $"the manifest names project '{loaded.Manifest!.Project}', not '{project}'" : string.Join("; ", loaded.Errors.Take(5));
            var invalid = new ReconcileResult(project, environment, commit, ReconcileOutcome.InvalidManifest, why, First: preview.Commit != commit);
            _records.Synced(project, environment, new SyncRecord(invalid.Outcome, why, commit, settings.Target, _hooks.Clock.GetUtcNow()));
            return await SayAsync(records, preview, invalid, settings, cancellationToken).ConfigureAwait(false);
        }

        var spec = new EnvironmentSpec { Branch = "", Target = settings.Target };
        // A fork's code never sees the project's secrets: only what is stored for this preview (a template's generated credentials).
        var secrets = preview.Fork ? SecretStore.EnvironmentOnly(state) : _secrets;
        var result = await ReconcileEnvironmentAsync(project, environment, commit, tree, AsPreview(loaded.Manifest, environment, spec), spec, secrets, cancellationToken).ConfigureAwait(false);
        _records.Synced(project, environment, new SyncRecord(result.Outcome, result.Detail, commit, spec.Target, _hooks.Clock.GetUtcNow()));
        return await SayAsync(records, preview, result, settings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The head's manifest as a preview: one environment, the base services without any
    /// environment's overrides, default domains only (a custom domain belongs to production), and
    /// no backups (a preview holds nothing to keep).
    /// </summary>
    private static Manifest AsPreview(Manifest manifest, string environment, EnvironmentSpec spec) => manifest with
    {
        Environments = ValueMap.Of((environment, spec)),
        Services = new ValueMap<Service>(manifest.Services.Select(s => KeyValuePair.Create(s.Key, s.Value with { Domains = ValueList<string>.Empty, Backup = null }))),
    };

    private async Task<ReconcileResult> RefuseForkAsync(PreviewRecords records, Preview preview, CancellationToken cancellationToken)
    {
        var refused = new ReconcileResult(preview.Project, preview.Environment, null, ReconcileOutcome.Refused,
            $"not deployed: the pull request comes from a fork, and paas.yaml on {preview.BaseBranch} does not allow previews of forks (previews.forks: true would, never with secrets)");
        return await SayAsync(records, preview, refused, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Everything of the preview goes from its target, volumes included; its records go; the pull request is told why.</summary>
    private async Task<ReconcileResult> RemovePreviewAsync(PreviewRecords records, Preview preview, string why, CancellationToken cancellationToken)
    {
        var (project, environment) = (preview.Project, preview.Environment);
        if (_records.LastSync(project, environment)?.Target is { } target)
        {
            using var connection = connect(platform.Target(target));
            var deployer = new Deployer(connection.Driver, connection.Images, state, _secrets, progress, buildLog, connection.IngressOr(ingress), _hooks, platform.Registry);
            await deployer.RecoverAsync(project, environment, cancellationToken).ConfigureAwait(false);
            var prepared = await deployer.PlanDestroyAsync(project, environment, volumes: true, cancellationToken).ConfigureAwait(false);
            if (prepared.Plan.HasChanges)
            {
                var destroyed = await deployer.ApplyAsync(prepared, $"preview removed: {why}", allowEmpty: true, cancellationToken).ConfigureAwait(false);
                if (destroyed.Status != DeploymentStatus.Succeeded)
                {
                    // Kept, so the next pass tries again: a preview is never forgotten while something of it runs.
                    return new ReconcileResult(project, environment, preview.Commit, ReconcileOutcome.Failed, $"removing the preview failed: {destroyed.Error}", destroyed);
                }
            }
        }

        _records.Forget(project, environment);
        if (preview.Said is not null)
        {
            // Only a pull request that was told something hears of the end: a project without
            // previews gets no comment on each of its pull requests.
            await SayAsync(records, preview, new ReconcileResult(project, environment, preview.Commit, ReconcileOutcome.Removed, $"preview removed: {why}"), null, cancellationToken).ConfigureAwait(false);
        }

        records.Remove(project, preview.Number);
        return new ReconcileResult(project, environment, preview.Commit, ReconcileOutcome.Removed, $"preview removed: {why}");
    }

    /// <summary>
    /// Keeps one comment on the pull request saying what the preview is now (its URLs, or why it
    /// failed or went): written when that changes, updated in place after. Without a forge
    /// configured (paas repo forge) there is no one to tell; the sync state still says it.
    /// </summary>
    private async Task<ReconcileResult> SayAsync(PreviewRecords records, Preview preview, ReconcileResult result, PreviewSpec? settings, CancellationToken cancellationToken)
    {
        var text = PreviewComment(preview, result, settings);
        if (preview.Said == text || (result.Outcome == ReconcileOutcome.SkippedFailedRevision && result.Commit == preview.Commit))
        {
            return result; // said already; a commit that failed keeps the comment saying why, not "failed before"
        }

        var said = preview with { Commit = result.Commit ?? preview.Commit, Said = text };
        if (new Forges.Forges(state).Of(preview.Project) is { } forge)
        {
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                var id = await new ForgeClient(http).CommentAsync(forge, new Forges.Forges(state).Token(preview.Project), preview.Number, text, preview.CommentId, cancellationToken).ConfigureAwait(false);
                said = said with { CommentId = id };
            }
            catch (ForgeException e)
            {
                // Said again at the next pass: the text is kept only once the forge took it.
                progress.Report(new ExecutorEvent($"comment on pull request #{preview.Number.ToString(CultureInfo.InvariantCulture)} of {preview.Project}", false, e.Message, TimeSpan.Zero));
                said = said with { Said = preview.Said };
            }
        }

        if (result.Outcome != ReconcileOutcome.Removed)
        {
            records.Save(said);
        }

        return result;
    }

    private string PreviewComment(Preview preview, ReconcileResult result, PreviewSpec? settings)
    {
        var at = result.Commit is { } commit ? $" at `{commit[..Math.Min(12, commit.Length)]}`" : "";
        var head = $"**Preview of #{preview.Number.ToString(CultureInfo.InvariantCulture)}**{at}";
        var body = result.Outcome switch
        {
            ReconcileOutcome.Applied or ReconcileOutcome.InSync => $"{head}: deployed as environment `{preview.Environment}`.\n\n{Links(result)}",
            ReconcileOutcome.Removed => $"{head}: {result.Detail}. Nothing of `{preview.Environment}` is left running.",
            ReconcileOutcome.Refused => $"{head}: {result.Detail}.",
            _ => $"{head}: not deployed ({result.Outcome.ToString().ToLowerInvariant()}): {result.Detail}",
        };
        var lifetime = settings is null ? "" : $"\n\nRemoved when this pull request closes or merges, or after {settings.Ttl} without a push.";
        return $"{body}{lifetime}\n\n<sub>paas preview environments</sub>";
    }

    /// <summary>Each public service's address, as the ingress serves it.</summary>
    private string Links(ReconcileResult result)
    {
        var routes = (result.Deployment ?? state.LastSucceeded(result.Project, result.Environment))?.Desired?.Routes;
        return routes is not { Count: > 0 } || ingress is null
            ? "No service is public, so there is no address to open."
            : string.Join("\n", routes.SelectMany(r => r.Domains.Select(d => $"- {r.Service}: {ingress.UrlOf(d)}")));
    }
}
