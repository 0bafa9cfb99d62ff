using System.ComponentModel;
using System.Globalization;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Crons;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Loading;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("cron", HelpText = "list: an environment's crons, next time due and last runs; run NAME: run one now and follow its output; history NAME: its runs; logs RUN: a run's output.")]
public sealed class CronOptions : ServiceScopeOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list, run, history or logs.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "NAME", HelpText = "The cron (run, history), or the run id (logs, e.g. r-20261202-030000-3fa9c2).")]
    public string? Name { get; set; }

    [Option("limit", Default = 20, HelpText = "How many runs history shows.")]
    public int Limit { get; set; } = 20;

    [Option("detach", HelpText = "run: print the run's id and return without following it.")]
    public bool Detach { get; set; }
}

/// <summary>
/// <c>paas cron</c>: through the server when one is named or saved (it schedules the crons), else on
/// the local data directory (a run by hand; schedules fire only under <c>paas server</c>).
/// </summary>
public static class CronCommand
{
    // A short job ends within a poll or two: the wait adds at most this to what it takes (tests/benchmarks/cron-run.sh).
    private static readonly TimeSpan FollowEvery = TimeSpan.FromMilliseconds(150);

    public static int Run(CronOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        if (options.Action is not ("list" or "run" or "history" or "logs"))
        {
            throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use list, run NAME, history NAME or logs RUN");
        }

        if (options.Action != "list" && options.Name is null)
        {
            throw new CliException(ExitCodes.Usage, options.Action == "logs" ? "say which run: paas cron logs RUN (ids from paas cron history NAME)" : $"say which cron: paas cron {options.Action} NAME (names from paas cron list)");
        }

        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        using var cron = server is null ? LocalCrons.Open(options) : null;
        ICronSource source = server is not null ? new RemoteCrons(server, options) : cron!;
        return options.Action switch
        {
            "list" => List(console, options, source),
            "history" => History(console, options, source.History(options.Name!, options.Limit)),
            "logs" => Logs(console, options, source),
            _ => RunNow(console, options, source),
        };
    }

    private static int List(CliConsole console, CronOptions options, ICronSource source)
    {
        var crons = source.List();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write<IReadOnlyList<CronListing>>(console, crons);
            return ExitCodes.Ok;
        }

        if (crons.Count == 0)
        {
            console.Human.MarkupLine($"{Markup.Escape(source.Place)} runs no crons");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("cron", "service", "schedule", "next", "timeout", "concurrency", "last run");
        foreach (var c in crons)
        {
            var last = c.Runs.Count > 0 ? c.Runs[0] : null;
            table.AddRow(c.Name, c.Service, Markup.Escape(c.Schedule + (c.TimeZone is { } zone ? $" ({zone})" : " (UTC)")), When(c.Next), c.Timeout, c.Concurrency, Markup.Escape(last is null ? "never" : Describe(last)));
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }

    private static int History(CliConsole console, CronOptions options, IReadOnlyList<CronRun> runs)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write<IReadOnlyList<CronRun>>(console, runs);
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("run", "trigger", "started", "took", "outcome", "exit", "detail");
        foreach (var r in runs)
        {
            table.AddRow(r.Id, Markup.Escape(r.Trigger == CronTrigger.Manual ? $"manual by {r.By}" : $"schedule {When(r.ScheduledFor)}"), When(r.StartedAt), Took(r), r.Outcome.ToString().ToLowerInvariant(),
                r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(r.Detail ?? ""));
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }

    private static int Logs(CliConsole console, CronOptions options, ICronSource source)
    {
        var (run, log) = source.Run(options.Name!);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new CronRunDocument(run, log));
            return ExitCodes.Ok;
        }

        console.Raw.Write(log);
        console.Error.WriteLine($"run {run.Id} of cron {run.Cron}: {Describe(run)}");
        return ExitCodes.Ok;
    }

    /// <summary>Starts the run, then prints its output as it comes until it ends (unless <c>--detach</c>); the exit code says how it ended.</summary>
    private static int RunNow(CliConsole console, CronOptions options, ICronSource source)
    {
        var run = source.Start(options.Name!);
        console.Error.WriteLine($"started run {run.Id} of cron {run.Cron} in {run.Service}'s image ({source.Place})");
        if (options.Detach)
        {
            if (options.Output == OutputFormat.Json)
            {
                Json.Write(console, new CronRunDocument(run, null));
            }
            else
            {
                console.Raw.WriteLine(run.Id);
            }

            return ExitCodes.Ok;
        }

        var printed = 0;
        string log;
        while (true)
        {
            (run, log) = source.Follow(run);
            if (options.Output != OutputFormat.Json && log.Length > printed)
            {
                console.Raw.Write(log[printed..]);
                printed = log.Length;
            }

            if (run.Outcome != CronOutcome.Running)
            {
                break;
            }

            Task.Delay(FollowEvery, console.Cancellation).GetAwaiter().GetResult();
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new CronRunDocument(run, log));
        }

        console.Error.WriteLine($"run {run.Id}: {Describe(run)}");
        return run.Outcome == CronOutcome.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Below <c>paas status</c>'s table: one line per cron, its next time and its last run.</summary>
    /// <param name="scheduledHere">Whether a server schedules them (remote status); locally they run on schedule only under paas server.</param>
    internal static void PrintStatus(CliConsole console, IReadOnlyList<Gitops.Engine.Reconcile.CronInfo> crons, bool scheduledHere)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(crons);
        foreach (var c in crons)
        {
            var last = c.Runs.Count > 0 ? $"last run {Describe(c.Runs[0])}" : scheduledHere ? "no run yet" : "no run yet (on schedule under paas server; paas cron run runs it now)";
            console.Human.MarkupLine(Markup.Escape($"cron {c.Name} ({c.Service}): {c.Schedule} {c.TimeZone ?? "UTC"}, next {When(c.Next)}; {last}"));
        }
    }

    internal static string Describe(CronRun run) => run.Outcome switch
    {
        CronOutcome.Running => $"running since {When(run.StartedAt)}",
        CronOutcome.Succeeded => $"succeeded {When(run.EndedAt)} in {Took(run)}",
        _ => $"{run.Outcome.ToString().ToLowerInvariant()} {When(run.EndedAt)}{(run.ExitCode is { } code ? $", exit {code.ToString(CultureInfo.InvariantCulture)}" : "")}{(run.Detail is { } why ? $": {why}" : "")}",
    };

    private static string When(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Took(CronRun run) => run.Duration is { } took ? $"{took.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s" : "-";

    /// <summary>Where crons are read and run: the server's API, or the local state.</summary>
    private interface ICronSource
    {
        /// <summary>project/environment, for messages.</summary>
        string Place { get; }

        IReadOnlyList<CronListing> List();

        IReadOnlyList<CronRun> History(string cron, int limit);

        (CronRun Run, string Log) Run(string id);

        CronRun Start(string cron);

        /// <summary>The run as it is now (settled if it ended) and its output so far.</summary>
        (CronRun Run, string Log) Follow(CronRun run);
    }

    /// <summary>A cron as <c>paas cron list</c> shows it (the API's answer, or made from the local state).</summary>
    public sealed record CronListing(string Name, string Service, string Schedule, string? TimeZone, string Timeout, string Concurrency, DateTimeOffset? Next, IReadOnlyList<CronRun> Runs);

    private sealed record RunAnswer(CronRun Run, string Log);

    private sealed class RemoteCrons(ServerClient server, CronOptions options) : ICronSource
    {
        private string Project => options.Project ?? ManifestScope.Project(options.Dir);

        public string Place => $"{Project}/{Environment}";

        private string Environment => options.Environment ?? ManifestScope.Environment(options.Dir);

        private string Base => $"api/v1/environments/{Uri.EscapeDataString(Project)}/{Uri.EscapeDataString(Environment)}/crons";

        public IReadOnlyList<CronListing> List() => server.Get<List<CronListing>>(Base);

        public IReadOnlyList<CronRun> History(string cron, int limit) => server.Get<List<CronRun>>($"{Base}/{Uri.EscapeDataString(cron)}/runs?limit={limit}");

        public (CronRun Run, string Log) Run(string id) => server.Get<RunAnswer>($"api/v1/cron-runs/{Uri.EscapeDataString(id)}") is var a ? (a.Run, a.Log) : default;

        public CronRun Start(string cron) => server.Post<CronRun>($"{Base}/{Uri.EscapeDataString(cron)}/runs");

        public (CronRun Run, string Log) Follow(CronRun run) => Run(run.Id);
    }

    private sealed class LocalCrons : ICronSource, IDisposable
    {
        private readonly StateStore _state;
        private readonly CronRunner _runner;
        private readonly string _project;
        private readonly string _environment;

        private LocalCrons(StateStore state, CronRunner runner, string project, string environment) => (_state, _runner, _project, _environment) = (state, runner, project, environment);

        public string Place => $"{_project}/{_environment}";

        public static LocalCrons Open(CronOptions options)
        {
            var loaded = File.Exists(Path.Combine(options.Dir, "paas.yaml")) ? ManifestLoader.LoadPath(options.Dir) : null;
            // A run is found by its id alone: logs needs no project or environment.
            var named = options.Action != "logs";
            var project = options.Project ?? loaded?.Manifest?.Project ?? (named ? throw new CliException(ExitCodes.Usage, $"say which project with --project (no readable paas.yaml in {options.Dir})") : "");
            var environment = options.Environment ?? (named ? ManifestScope.Environment(options.Dir) : "");
            var dataDirectory = DataDirectory.Resolve(options.DataDir);
            var platform = PlatformFile.Load(dataDirectory);

            // The target the manifest names for the environment (what paas apply deployed to), else local.
            var target = loaded?.Manifest?.Project == project && loaded.Manifest.Environments.TryGetValue(environment, out var spec) ? spec.Target : "local";
            var state = SecretsCommand.OpenState(dataDirectory);
            var runner = new CronRunner(state, (_, _) => ProviderRegistry.Default.Connect(platform.Target(target)), new SecretStore(state));
            return new LocalCrons(state, runner, project, environment);
        }

        public IReadOnlyList<CronListing> List() => _runner.List(_project, _environment)
            .Select(c => new CronListing(c.Cron.Cron.Name, c.Cron.Service.Name, c.Cron.Cron.Schedule, c.Cron.Cron.TimeZone, c.Cron.Cron.Timeout.ToString(),
                c.Cron.Cron.Concurrency.ToString().ToLowerInvariant(), c.Next, _runner.Runs.History(_project, _environment, c.Cron.Cron.Name, 5)))
            .ToList();

        public IReadOnlyList<CronRun> History(string cron, int limit) => _runner.Runs.History(_project, _environment, cron, limit);

        public (CronRun Run, string Log) Run(string id)
        {
            var run = _runner.Runs.Get(id) ?? throw new CliException(ExitCodes.InvalidInput, $"no cron run {id} (paas cron history NAME lists them)");
            return (run, _runner.LogAsync(run, CancellationToken.None).GetAwaiter().GetResult());
        }

        public CronRun Start(string cron)
        {
            CliAudit.Record(_state, "cron run", $"{_project}/{_environment} cron {cron}");
            try
            {
                return _runner.RunNowAsync(_project, _environment, cron, $"cli:{System.Environment.UserName}", CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (CronRefusedException e)
            {
                throw new CliException(ExitCodes.InvalidInput, e.Message);
            }
        }

        public (CronRun Run, string Log) Follow(CronRun run)
        {
            var now = _runner.SettleAsync(run, CancellationToken.None).GetAwaiter().GetResult();
            return (now, _runner.LogAsync(now, CancellationToken.None).GetAwaiter().GetResult());
        }

        public void Dispose()
        {
            _runner.Dispose();
            _state.Dispose();
        }
    }
}

[Description("paas cron run and paas cron logs: a run and its output (null with --detach: the run has just started).")]
public sealed record CronRunDocument(CronRun Run, string? Log);
