using System.Diagnostics;
using System.Net;
using Gitops.Engine.Events;
using Gitops.Engine.Notifications;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.IntegrationTests;

/// <summary>
/// Notifications to real receivers: local HTTP servers standing in for Slack's, Discord's and
/// Telegram's endpoints (checked against the payload shapes their documentation gives) and a
/// webhook's receiver (its HMAC-SHA256 signature checked), and maildev as the SMTP server. The
/// dispatcher's clock is injected: a channel down for 30 s of it loses nothing.
/// </summary>
public sealed class NotificationTests : IDisposable
{
    private const string SlackPath = "/services/T000/B000/slack-secret-path";
    private const string BotToken = "123456:telegram-secret-token";
    private const string SigningKey = "webhook-signing-key-9f2c";

    private readonly string _data = Directory.CreateDirectory(Path.Combine(Directory.CreateTempSubdirectory("paas-notify-").FullName, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;

    [Fact]
    public async Task An_event_reaches_slack_discord_telegram_and_a_signed_webhook_in_their_documented_shapes_once_each()
    {
        using var receiver = new HttpReceiver();
        var config = Platform($$"""
            notifications:
              dashboardUrl: https://paas.example.com
              channels:
                team-slack: { kind: slack }
                team-discord: { kind: discord }
                ops-telegram: { kind: telegram, chatId: "-1001", apiUrl: "{{receiver.Url}}/telegram" }
                hooks: { kind: webhook, url: "{{receiver.Url}}/hook" }
                quiet: { kind: webhook, url: "{{receiver.Url}}/quiet" }
            """);
        var clock = new TestClock();
        using var state = StateStore.Open(_data);
        var secrets = new ChannelSecrets(new SecretStore(state));
        secrets.Set("team-slack", receiver.Url + SlackPath);
        secrets.Set("team-discord", receiver.Url + "/api/webhooks/1/discord-secret");
        secrets.Set("ops-telegram", BotToken);
        secrets.Set("hooks", SigningKey);
        secrets.Set("quiet", "another-key");
        new NotificationRules(state).Record("shop", "production",
        [
            new NotifyRule { Channel = "team-slack", On = new ValueList<string>(["deploy.failed"]) },
            new NotifyRule { Channel = "team-discord", On = new ValueList<string>(["deploy.failed", "deploy.succeeded"]) },
            new NotifyRule { Channel = "ops-telegram", On = new ValueList<string>(["deploy.failed"]) },
            new NotifyRule { Channel = "hooks", On = new ValueList<string>(["deploy.failed"]) },
            new NotifyRule { Channel = "hooks", On = new ValueList<string>(["deploy.failed", "cron.failed"]) }, // named twice: once
            new NotifyRule { Channel = "quiet", On = new ValueList<string>(["deploy.succeeded"]) }, // not this event
        ]);
        var sink = new NotificationSink(state, config.Notifications);
        using var dispatcher = new NotificationDispatcher(state, config.Notifications, clock);
        var failed = new PlatformEvent(PlatformEvent.DeployFailed, "shop", "production", clock.Now)
        {
            DeploymentId = "d-20261202-101500-3fa9c2",
            Revision = "abc123def4567890",
            Duration = TimeSpan.FromSeconds(12),
            Detail = "@everyone web: health check /healthz kept failing for 3 x 1s: HTTP 500",
        };

        sink.Publish(failed);
        sink.Publish(failed); // the same event again (a retried pass): no second message
        Assert.Equal(4, await dispatcher.DeliverDueAsync(Token));
        Assert.Equal(0, await dispatcher.DeliverDueAsync(Token));

        var requests = receiver.Requests.ToList();
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r => Assert.Equal("POST", r.Method));
        Assert.All(requests, r => Assert.StartsWith("application/json", r.Headers["Content-Type"], StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Path == "/quiet");

        // Slack: an incoming webhook takes {text, blocks}; mrkdwn escapes <, > and &.
        var slack = Assert.Single(requests, r => r.Path == SlackPath).Json;
        Assert.Contains("shop/production: deploy failed", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("commit abc123def456", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("https://paas.example.com/#/deployments/d-20261202-101500-3fa9c2", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        var block = slack.GetProperty("blocks")[0];
        Assert.Equal(("section", "mrkdwn"), (block.GetProperty("type").GetString(), block.GetProperty("text").GetProperty("type").GetString()));
        Assert.Contains("<https://paas.example.com/#/deployments/d-20261202-101500-3fa9c2|Open in the dashboard>", block.GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);

        // Discord: {content, username}; mentions parsed from none of it, so "@everyone" in a build's output pages nobody.
        var discord = Assert.Single(requests, r => r.Path == "/api/webhooks/1/discord-secret").Json;
        Assert.StartsWith("**shop/production: deploy failed**", discord.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, discord.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());

        // Telegram: POST /bot<token>/sendMessage with chat_id and text.
        var telegram = Assert.Single(requests, r => r.Path == $"/telegram/bot{BotToken}/sendMessage").Json;
        Assert.Equal("-1001", telegram.GetProperty("chat_id").GetString());
        Assert.Contains("deployment d-20261202-101500-3fa9c2 (12 s)", telegram.GetProperty("text").GetString(), StringComparison.Ordinal);

        // The webhook: its body signed with the channel's key, the event named in a header.
        var hook = Assert.Single(requests, r => r.Path == "/hook");
        Assert.Equal(ChannelSenders.Signature(SigningKey, hook.Body), hook.Headers[ChannelSenders.SignatureHeader]);
        Assert.NotEqual(ChannelSenders.Signature("another-key", hook.Body), hook.Headers[ChannelSenders.SignatureHeader]);
        Assert.Equal("deploy.failed", hook.Headers["X-Paas-Event"]);
        Assert.Equal(("deploy.failed", "shop", "production", "abc123def4567890", "d-20261202-101500-3fa9c2"),
            (hook.Json.GetProperty("event").GetString(), hook.Json.GetProperty("project").GetString(), hook.Json.GetProperty("environment").GetString(), hook.Json.GetProperty("commit").GetString(), hook.Json.GetProperty("deployment").GetString()));

        // No channel's secret reached any other channel.
        var everything = string.Concat(requests.Select(r => r.Text));
        Assert.DoesNotContain(BotToken, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(SigningKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("slack-secret-path", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channel_down_for_30_seconds_loses_nothing_and_gets_every_message_once_in_order()
    {
        using var receiver = new HttpReceiver();
        var config = Platform($"notifications:\n  channels:\n    hooks: {{ kind: webhook, url: \"{receiver.Url}/hook\" }}\n");
        var clock = new TestClock();
        var start = clock.Now;
        using var state = StateStore.Open(_data);
        new ChannelSecrets(new SecretStore(state)).Set("hooks", SigningKey);
        new NotificationRules(state).Record("shop", "production", [new NotifyRule { Channel = "hooks", On = new ValueList<string>(["deploy.succeeded", "cron.failed"]) }]);
        var sink = new NotificationSink(state, config.Notifications);
        using var dispatcher = new NotificationDispatcher(state, config.Notifications, clock);

        receiver.Answer = HttpStatusCode.ServiceUnavailable; // down: first answering 503, then not listening at all
        string? failingWhileDown = null;
        for (var second = 0; second < 30; second++)
        {
            clock.Now = start.AddSeconds(second);
            if (second < 5)
            {
                sink.Publish(new PlatformEvent(PlatformEvent.DeploySucceeded, "shop", "production", clock.Now) { DeploymentId = $"d-{second}", Revision = $"commit{second}" });
            }

            if (second == 15)
            {
                receiver.Stop();
            }

            Assert.Equal(0, await dispatcher.DeliverDueAsync(Token));
            if (second == 10)
            {
                failingWhileDown = new NotificationOutbox(state).Status("hooks").LastError;
            }
        }

        var down = new NotificationOutbox(state).Status("hooks");
        receiver.Answer = HttpStatusCode.OK;
        receiver.Start();
        var delivered = 0;
        for (var second = 30; second < 95 && delivered < 5; second++)
        {
            clock.Now = start.AddSeconds(second);
            delivered += await dispatcher.DeliverDueAsync(Token);
        }

        Assert.Contains("HTTP 503", failingWhileDown, StringComparison.Ordinal);
        Assert.Equal((0, 5, start), (down.Delivered, down.Pending, down.FailingSince));
        Assert.Equal(5, delivered);
        Assert.Equal(["d-0", "d-1", "d-2", "d-3", "d-4"], receiver.Requests.Select(r => r.Json.GetProperty("deployment").GetString()).ToList());
        var after = new NotificationOutbox(state).Status("hooks");
        Assert.Equal((5, 0, 0, (DateTimeOffset?)null), (after.Delivered, after.Pending, after.Dropped, after.FailingSince));
    }

    [Fact]
    public async Task A_message_no_channel_takes_within_retryFor_is_dropped_counted_and_shown()
    {
        using var receiver = new HttpReceiver { Answer = HttpStatusCode.InternalServerError };
        var config = Platform($"notifications:\n  retryFor: 1m\n  channels:\n    hooks: {{ kind: webhook, url: \"{receiver.Url}/hook\" }}\n");
        var clock = new TestClock();
        using var state = StateStore.Open(_data);
        new ChannelSecrets(new SecretStore(state)).Set("hooks", SigningKey);
        new NotificationRules(state).Record("shop", "dev", [new NotifyRule { Channel = "hooks", On = new ValueList<string>(["cron.failed"]) }]);
        new NotificationSink(state, config.Notifications).Publish(new PlatformEvent(PlatformEvent.CronFailed, "shop", "dev", clock.Now) { Service = "report", Detail = "run r-1 failed: exited 2" });
        using var dispatcher = new NotificationDispatcher(state, config.Notifications, clock);

        for (var second = 0; second <= 61; second++)
        {
            clock.Now = clock.Start.AddSeconds(second);
            await dispatcher.DeliverDueAsync(Token);
        }

        var status = new NotificationOutbox(state).Status("hooks");
        Assert.Equal((0, 0, 1), (status.Delivered, status.Pending, status.Dropped));
        Assert.Contains("not taken within 1m: HTTP 500", new NotificationOutbox(state).Of("hooks").Single().LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_reaches_an_smtp_server_with_what_happened_and_the_link()
    {
        var maildev = Maildev.Find();
        var (smtp, web) = (FreePort.Next(), FreePort.Next());
        using var server = Process.Start(new ProcessStartInfo(maildev) { ArgumentList = { "--smtp", smtp.ToString(System.Globalization.CultureInfo.InvariantCulture), "--web", web.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ip", "127.0.0.1" }, RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            var config = Platform($"notifications:\n  dashboardUrl: https://paas.example.com\n  channels:\n    ops-mail: {{ kind: smtp, host: 127.0.0.1, port: {smtp}, tls: none, from: paas@example.com, to: [ops@example.com, oncall@example.com] }}\n");
            var clock = new TestClock();
            using var state = StateStore.Open(_data);
            new NotificationRules(state).Record("shop", "production", [new NotifyRule { Channel = "ops-mail", On = new ValueList<string>(["deploy.rolled-back"]) }]);
            new NotificationSink(state, config.Notifications).Publish(new PlatformEvent(PlatformEvent.DeployRolledBack, "shop", "production", clock.Now) { DeploymentId = "d-7", Revision = "0123456789abcdef", Detail = "web: exited 1, before it was healthy" });
            using var dispatcher = new NotificationDispatcher(state, config.Notifications, clock);

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await dispatcher.DeliverDueAsync(Token) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"maildev did not take the mail: {new NotificationOutbox(state).Status("ops-mail").LastError}");
                clock.Now = clock.Now.AddMinutes(1); // maildev may still be starting: try again at once
                await Task.Delay(300, Token);
            }

            using var http = new HttpClient();
            var mails = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{web}/api/email", Token)).RootElement;
            var mail = Assert.Single(mails.EnumerateArray());
            Assert.Equal("[paas] shop/production: deploy rolled back", mail.GetProperty("subject").GetString());
            var text = mail.GetProperty("text").GetString()!;
            Assert.Contains("commit 0123456789ab", text, StringComparison.Ordinal);
            Assert.Contains("web: exited 1, before it was healthy", text, StringComparison.Ordinal);
            Assert.Contains("https://paas.example.com/#/deployments/d-7", text, StringComparison.Ordinal);
            Assert.Equal(2, mail.GetProperty("to").GetArrayLength());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    [Fact]
    public void Paas_notify_test_sends_at_once_on_this_machine_and_says_whether_the_channel_took_it()
    {
        using var receiver = new HttpReceiver();
        Platform($"notifications:\n  channels:\n    hooks: {{ kind: webhook, url: \"{receiver.Url}/hook\" }}\n");

        var withoutSecret = Paas("", "notify", "test", "hooks");
        Assert.Equal(0, Paas(SigningKey, "notify", "secret", "hooks").ExitCode);
        var took = Paas("", "notify", "test", "hooks");
        receiver.Answer = HttpStatusCode.BadGateway;
        var refused = Paas("", "notify", "test", "hooks");
        var unknown = Paas("", "notify", "test", "nope");
        var list = Paas("", "notify", "list");

        Assert.Equal(3, withoutSecret.ExitCode);
        Assert.Contains("channel hooks has no secret yet (the key its requests are signed with (HMAC-SHA256)): paas notify secret hooks", withoutSecret.Error, StringComparison.Ordinal);
        Assert.True(took.ExitCode == 0, took.Error);
        Assert.Contains("hooks took the test message", took.Output, StringComparison.Ordinal);
        var message = Assert.Single(receiver.Requests);
        Assert.Equal("notify.test", message.Json.GetProperty("event").GetString());
        Assert.Equal(ChannelSenders.Signature(SigningKey, message.Body), message.Headers[ChannelSenders.SignatureHeader]);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("hooks did not take the test message: HTTP 502", refused.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no channel 'nope' in platform.yaml (notifications.channels: hooks)", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("hooks", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SigningKey, list.Output + took.Output + refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_without_what_its_kind_needs_or_sending_in_clear_text_elsewhere_is_refused_at_its_line()
    {
        var error = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("""
            notifications:
              channels:
                hooks: { kind: webhook, url: "http://hooks.example.com/in" }
                mail: { kind: smtp, host: smtp.example.com, tls: none, from: a@example.com, to: [b@example.com] }
                tg: { kind: telegram }
                pager: { kind: pagerduty }
            """, "platform.yaml", ProviderRegistry.Default));

        Assert.Contains("platform.yaml:3:", error.Message, StringComparison.Ordinal);
        Assert.Contains("would travel in clear text", error.Message, StringComparison.Ordinal);
        Assert.Contains("platform.yaml:4:", error.Message, StringComparison.Ordinal);
        Assert.Contains("only to a mail server on this machine, not smtp.example.com", error.Message, StringComparison.Ordinal);
        Assert.Contains("channel tg (telegram) needs chatId", error.Message, StringComparison.Ordinal);
        Assert.Contains("pagerduty", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_data)!, recursive: true);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private CliRun Paas(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        var code = Gitops.Cli.PaasCli.Run([.. args, "--data-dir", _data], Gitops.Cli.CliConsole.Plain(output, error), reader);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    private PlatformConfig Platform(string yaml)
    {
        File.WriteAllText(Path.Combine(_data, PlatformConfig.FileName), yaml);
        return PlatformConfig.Load(_data);
    }

    private sealed class TestClock : TimeProvider
    {
        public DateTimeOffset Start { get; } = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

/// <summary>maildev (npm), installed by scripts/setup-engines.sh: the SMTP server the e-mail channel is tested against.</summary>
internal static class Maildev
{
    public const string Installed = "/opt/paas-test-tools/node_modules/.bin/maildev";

    public static string Find()
    {
        if (File.Exists(Installed))
        {
            return Installed;
        }

        Engines.Require($"maildev is not installed at {Installed} (scripts/setup-engines.sh installs it with npm)");
        return "";
    }
}
