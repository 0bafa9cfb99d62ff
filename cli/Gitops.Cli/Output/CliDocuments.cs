using System.ComponentModel;
using System.Reflection;
using Gitops.Cli.Commands;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.Backups;
using Gitops.Engine.Crons;
using Gitops.Engine.Notifications;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Images;
using Gitops.Engine.Targets;

namespace Gitops.Cli.Output;

/// <summary>One JSON document a command writes to standard output with <c>--output json</c>.</summary>
/// <param name="Verb">The command (<c>cron</c>).</param>
/// <param name="Action">Its action (<c>list</c>), or null when every form of the verb writes a document.</param>
/// <param name="Usage">How it is called, as the reference heads it (<c>paas cron list</c>).</param>
/// <param name="Type">The document's type: its JSON Schema is made from it.</param>
/// <param name="Lines">JSON Lines: one document per line as they come (a followed log), not one document.</param>
public sealed record CliDocument(string Verb, string? Action, string Usage, Type Type, bool Lines = false)
{
    /// <summary>What the document says: the type's own description, or the reference's words for a list.</summary>
    public string Summary { get; init; } = Type.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
}

/// <summary>
/// Every <c>--output json</c> document, by command. A command not listed here writes none, and
/// <c>-o json</c> on it is refused before it runs (never accepted and ignored). docs/cli-json.md is made
/// from this list (a test keeps it current), and the tests validate what commands write against it.
/// </summary>
public static class CliDocuments
{
    public static IReadOnlyList<CliDocument> All { get; } =
    [
        new("validate", null, "paas validate [PATH]", typeof(ValidateDocument)),
        new("init", null, "paas init [DIR] --template T", typeof(InitDocument)),
        new("import", null, "paas import docker-compose.yml", typeof(ImportDocument)),
        new("templates", "list", "paas templates list", typeof(TemplateListDocument)),
        new("templates", "show", "paas templates show NAME", typeof(TemplateDocument)),
        new("plan", null, "paas plan", typeof(PlanDocument)),
        new("apply", null, "paas apply", typeof(ApplyDocument)),
        new("restart", null, "paas restart SERVICE", typeof(ApplyDocument)),
        new("rollback", null, "paas rollback [DEPLOYMENT]", typeof(ApplyDocument)),
        new("status", null, "paas status", typeof(StatusDocument)),
        new("history", null, "paas history", typeof(IReadOnlyList<Deployment>)) { Summary = "paas history: the environment's deployments, newest first, each with its commit, plan, steps and outcome." },
        new("logs", null, "paas logs DEPLOYMENT", typeof(DeploymentLogDocument)),
        new("logs", null, "paas logs SERVICE", typeof(RuntimeLogLine), Lines: true) { Summary = "paas logs SERVICE: one line per log line as it comes (JSON Lines): when, which replica, which stream, the text." },
        new("logs", null, "paas logs --stats", typeof(LogStatsDocument)),
        new("cron", "list", "paas cron list", typeof(IReadOnlyList<CronCommand.CronListing>)) { Summary = "paas cron list: the environment's crons, when each is next due, and its last runs." },
        new("cron", "history", "paas cron history CRON", typeof(IReadOnlyList<CronRun>)) { Summary = "paas cron history: a cron's runs, newest first." },
        new("cron", "run", "paas cron run CRON", typeof(CronRunDocument)),
        new("cron", "logs", "paas cron logs RUN", typeof(CronRunDocument)),
        new("backup", "list", "paas backup list", typeof(BackupListDocument)),
        new("backup", "run", "paas backup run SERVICE", typeof(BackupItem)) { Summary = "paas backup run: the backup made (its manifest's fields), and its restore drill when the service's backup says verify." },
        new("backup", "verify", "paas backup verify BACKUP", typeof(DrillResult)) { Summary = "paas backup verify: the restore drill's result (a restore into a scratch container, the service untouched)." },
        new("backup", "restore", "paas backup restore BACKUP --yes", typeof(BackupRestoreDocument)),
        new("notify", "list", "paas notify list", typeof(IReadOnlyList<ChannelView>)) { Summary = "paas notify list: the platform's notification channels and how their messages fare (never their secrets)." },
        new("secrets", "set", "paas secrets set PROJECT NAME", typeof(SecretSetDocument)),
        new("secrets", "list", "paas secrets list PROJECT", typeof(IReadOnlyList<SecretInfo>)) { Summary = "paas secrets list: the secrets' names, environments, versions and times; never their values." },
        new("target", "list", "paas target list", typeof(TargetListDocument)),
        new("registry", "list", "paas registry list", typeof(IReadOnlyList<RegistryLoginInfo>)) { Summary = "paas registry list: the saved registry logins (whose: null is the platform's); never their passwords." },
        new("firewall", "plan", "paas firewall plan", typeof(FirewallDocument)),
        new("firewall", "apply", "paas firewall apply", typeof(FirewallDocument)),
        new("repo", "list", "paas repo list", typeof(IReadOnlyList<WatchedRepository>)) { Summary = "paas repo list: the watched repositories, one per project, with their last fetch or its error (URLs never carry credentials)." },
        new("sync", null, "paas sync [PROJECT]", typeof(SyncDocument)),
        new("env", "suspend", "paas env suspend PROJECT ENV", typeof(EnvDocument)),
        new("env", "resume", "paas env resume PROJECT ENV", typeof(EnvDocument)),
        new("promote", null, "paas promote PROJECT --from A --to B", typeof(PromotionResult)) { Summary = "paas promote: the branch published with the source environment's running commit, and the pull request or merge it made." },
        new("users", "list", "paas users list", typeof(IReadOnlyList<User>)) { Summary = "paas users list: the platform's users and their grants (never their password hashes)." },
        new("tokens", "create", "paas tokens create NAME", typeof(TokenCreatedDocument)),
        new("tokens", "list", "paas tokens list", typeof(IReadOnlyList<ApiToken>)) { Summary = "paas tokens list: your API tokens, their roles and expiries (never the tokens)." },
        new("audit", "list", "paas audit list", typeof(IReadOnlyList<AuditEntry>)) { Summary = "paas audit list: the audit log's entries, newest first: who did what to which target, and the result." },
        new("audit", "verify", "paas audit verify", typeof(AuditVerification)) { Summary = "paas audit verify: whether the audit log's hash chain is intact, and where it breaks if not." },
        new("admin", "backup", "paas admin backup", typeof(BackupManifest)) { Summary = "paas admin backup: the platform backup made (its manifest)." },
        new("admin", "restore", "paas admin restore ID", typeof(AdminRestoreDocument)),
    ];

    /// <summary>The commands whose output is JSON whatever <c>--output</c> says: <c>paas schema</c> prints paas.yaml's JSON Schema, and completion scripts are shell.</summary>
    public static IReadOnlySet<string> AlwaysJson { get; } = new HashSet<string>(StringComparer.Ordinal) { "schema" };

    internal static IReadOnlySet<Type> Types { get; } = All.Select(d => d.Type).ToHashSet();

    /// <summary>Whether <c>paas VERB [ACTION]</c> writes a document with <c>--output json</c>.</summary>
    public static bool Writes(string verb, string? action) =>
        AlwaysJson.Contains(verb) || All.Any(d => d.Verb == verb && (d.Action is null || d.Action == action));

    /// <summary>The documents <c>paas VERB [ACTION]</c> may write (several for a verb with several forms, like logs).</summary>
    public static IReadOnlyList<CliDocument> Of(string verb, string? action) =>
        [.. All.Where(d => d.Verb == verb && (d.Action is null || d.Action == action))];
}
