using System.Globalization;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Notifications;
using Gitops.Engine.Secrets;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("notify", HelpText = "list: the platform's notification channels and how their messages fare; secret CHANNEL: set its secret from stdin; test CHANNEL: send it a test message.")]
public sealed class NotifyOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list, secret or test.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "CHANNEL", HelpText = "A channel of platform.yaml's notifications.channels.")]
    public string? Channel { get; set; }

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>
/// <c>paas notify</c>: the channels are the platform's (platform.yaml), so through a server this
/// needs platform administration. Locally, <c>test</c> sends at once and says how it went.
/// </summary>
public static class NotifyCommand
{
    private sealed record SecretAnswer(string Channel, int Version);

    public static int Run(NotifyOptions options, CliConsole console, TextReader input)
    {
        console = console.For(options.Output);
        if (options.Action is not ("list" or "secret" or "test"))
        {
            throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use list, secret CHANNEL or test CHANNEL");
        }

        if (options.Action != "list" && options.Channel is null)
        {
            throw new CliException(ExitCodes.Usage, $"say which channel: paas notify {options.Action} CHANNEL (channels: paas notify list)");
        }

        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        return options.Action switch
        {
            "list" => List(console, options, server is not null ? server.Get<List<ChannelView>>("api/v1/notifications") : Local(options, (state, platform) => ChannelView.All(state, platform.Notifications))),
            "secret" => Secret(console, options, server, input),
            _ => Test(console, options, server),
        };
    }

    private static int List(CliConsole console, NotifyOptions options, IReadOnlyList<ChannelView> channels)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, channels);
            return ExitCodes.Ok;
        }

        if (channels.Count == 0)
        {
            console.Human.MarkupLine("no channels: define them in platform.yaml under notifications.channels (docs/operations.md)");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("channel", "kind", "secret", "delivered", "waiting", "dropped", "last delivered", "failing");
        foreach (var c in channels)
        {
            var s = c.Status;
            table.AddRow(c.Channel, c.Kind, c.SecretNeeded is null ? "none needed" : c.SecretSet ? "set" : "[yellow]missing[/]",
                Count(s.Delivered), Count(s.Pending), s.Dropped > 0 ? $"[red]{Count(s.Dropped)}[/]" : "0", When(s.LastDelivered),
                s.FailingSince is { } since ? Markup.Escape($"since {When(since)}: {s.LastError}") : "");
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }

    private static int Secret(CliConsole console, NotifyOptions options, ServerClient? server, TextReader input)
    {
        var channel = options.Channel!;
        var value = SecretsCommand.ReadValue(console, input, channel);
        int version;
        if (server is not null)
        {
            version = server.Put<SecretAnswer>($"api/v1/notifications/{Uri.EscapeDataString(channel)}/secret", new { value }).Version;
        }
        else
        {
            version = Local(options, (state, platform) =>
            {
                Known(platform, channel);
                CliAudit.Record(state, "notify secret", channel);
                return new ChannelSecrets(new SecretStore(state)).Set(channel, value);
            });
        }

        console.Human.MarkupLine(Markup.Escape($"set the secret of channel {channel} (version {version})"));
        return ExitCodes.Ok;
    }

    private static int Test(CliConsole console, NotifyOptions options, ServerClient? server)
    {
        var channel = options.Channel!;
        if (server is not null)
        {
            server.Post<Notification>($"api/v1/notifications/{Uri.EscapeDataString(channel)}/test");
            console.Human.MarkupLine(Markup.Escape($"a test message to {channel} is on its way; paas notify list shows whether it arrived"));
            return ExitCodes.Ok;
        }

        // Locally nothing else sends the outbox: this one message is sent now, and its fate told.
        return Local(options, (state, platform) =>
        {
            Known(platform, channel);
            using var dispatcher = new NotificationDispatcher(state, platform.Notifications, TimeProvider.System);
            var message = dispatcher.Test(channel, $"cli:{Environment.UserName}");
            dispatcher.DeliverDueAsync(console.Cancellation).GetAwaiter().GetResult();
            var sent = new NotificationOutbox(state).Of(channel).Single(n => n.Id == message.Id);
            if (sent.State == DeliveryState.Delivered)
            {
                console.Human.MarkupLine(Markup.Escape($"{channel} took the test message"));
                return ExitCodes.Ok;
            }

            var outbox = new NotificationOutbox(state);
            var why = sent.LastError is { } error
                ? $"{error} (a server tries again after {NotificationDispatcher.Backoff(sent.Attempts).TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)"
                : $"{outbox.Pending(channel).Count - 1} older message(s) wait before it, since {When(outbox.Status(channel).FailingSince)}: {outbox.Status(channel).LastError}";
            console.Error.WriteLine($"paas: {channel} did not take the test message: {why}");
            return ExitCodes.Failed;
        });
    }

    private static void Known(PlatformConfig platform, string channel)
    {
        if (!platform.Notifications.Channels.ContainsKey(channel))
        {
            throw new CliException(ExitCodes.InvalidInput, $"no channel '{channel}' in platform.yaml (notifications.channels: {string.Join(", ", platform.Notifications.Channels.Keys)})");
        }
    }

    private static T Local<T>(NotifyOptions options, Func<Gitops.Engine.State.StateStore, PlatformConfig, T> work)
    {
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformFile.Load(dataDirectory);

        using var state = SecretsCommand.OpenState(dataDirectory);
        return work(state, platform);
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string When(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
