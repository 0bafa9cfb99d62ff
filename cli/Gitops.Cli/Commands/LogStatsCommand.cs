using System.ComponentModel;
using System.Globalization;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Drains;
using Gitops.Engine.Operations;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

/// <summary><c>paas logs --stats [--compact]</c>: each kind of log the platform keeps, its retention, and the last compaction (the server's, or the local data directory's).</summary>
internal static class LogStatsCommand
{
    public static int Run(LogsOptions options, CliConsole console)
    {
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        LogStats stats;
        Compaction? compacted = null;
        List<DrainStatus> drains;
        if (server is not null)
        {
            compacted = options.Compact ? server.Post<Compaction>("api/v1/logs/compact") : null;
            stats = server.Get<LogStats>("api/v1/logs/stats");
            drains = server.Get<List<DrainStatus>>("api/v1/drains");
        }
        else
        {
            var dataDirectory = DataDirectory.Resolve(options.DataDir);
            var platform = PlatformFile.Load(dataDirectory);

            using var state = SecretsCommand.OpenState(dataDirectory);
            var compaction = new LogCompaction(state, platform.Logs, TimeProvider.System);
            if (options.Compact)
            {
                CliAudit.Record(state, "logs compact", "platform");
                compacted = compaction.Compact();
            }

            stats = compaction.Stats();
            // Without a server nothing ships: what each drain's buffer holds, and what it dropped.
            drains = platform.Drains.Select(d => LogDrains.Buffer(dataDirectory, d.Key, d.Value).Stats() is var held
                ? new DrainStatus(d.Key, d.Value.Kind, new Uri(d.Value.Url!).GetLeftPart(UriPartial.Path), 0, null, held.PendingBytes, held.Dropped, null, null)
                : null).OfType<DrainStatus>().ToList();
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new LogStatsDocument(stats.Kinds, stats.LastCompaction, compacted, drains));
            return ExitCodes.Ok;
        }

        if (compacted is not null)
        {
            console.Human.MarkupLine($"compacted: dropped {compacted.DeployLines} deployment log lines and {compacted.CronOutputs} cron runs' outputs past their retention");
        }

        var table = new Table().AddColumns("log", "kept", "size", "oldest", "retention");
        foreach (var kind in stats.Kinds)
        {
            table.AddRow(kind.Kind, kind.Entries?.ToString(CultureInfo.InvariantCulture) ?? "-", kind.Characters is { } c ? Size(c) : "-", When(kind.Oldest), Markup.Escape(kind.Kept));
        }

        console.Human.Write(table);
        console.Human.MarkupLine(stats.LastCompaction is { } last
            ? $"last compaction {When(last.At)}: dropped {last.DeployLines} deployment log lines and {last.CronOutputs} cron runs' outputs"
            : "no compaction yet (paas server runs one at start and every hour; paas logs --stats --compact runs one now)");
        if (drains.Count > 0)
        {
            var shipping = new Table().AddColumns("drain", "kind", "to", "shipped", "waiting", "dropped", "failing");
            foreach (var d in drains)
            {
                shipping.AddRow(d.Name, d.Kind.ToString().ToLowerInvariant(), Markup.Escape(d.Url), server is null ? "- (no server)" : d.Shipped.ToString(CultureInfo.InvariantCulture),
                    Size(d.PendingBytes), d.Dropped.ToString(CultureInfo.InvariantCulture), Markup.Escape(d.FailingSince is { } since ? $"since {When(since)}: {d.LastError}" : ""));
            }

            console.Human.Write(shipping);
        }

        return ExitCodes.Ok;
    }

    private static string When(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Size(long characters) => characters switch
    {
        < 1024 => $"{characters} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{characters / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{characters / (1024.0 * 1024):0.#} MiB"),
    };
}

[Description("paas logs --stats: what the platform keeps of each kind of log and for how long, its last compaction, and each log drain's state.")]
public sealed record LogStatsDocument(
    IReadOnlyList<LogKindStats> Kinds,
    Compaction? LastCompaction,
    [property: Description("with --compact: what this call dropped; else null")] Compaction? Compacted,
    IReadOnlyList<DrainStatus> Drains);
