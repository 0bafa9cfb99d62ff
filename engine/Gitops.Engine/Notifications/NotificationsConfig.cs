using System.ComponentModel;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Binding;
using Gitops.Schema.Model;

namespace Gitops.Engine.Notifications;

/// <summary>The kinds of channel a notification can go to.</summary>
public enum ChannelKind
{
    Slack,
    Discord,
    Telegram,
    Webhook,
    Smtp,
}

/// <summary>How an SMTP channel protects its connection.</summary>
public enum SmtpTls
{
    /// <summary>Plain connection upgraded with STARTTLS, refused if the server cannot (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    Tls,

    /// <summary>No TLS: only to a mail server on this machine (127.0.0.1, ::1, localhost).</summary>
    None,
}

/// <summary>
/// One channel of platform.yaml's <c>notifications.channels</c>. What it needs to be reached that is
/// a secret (a Slack or Discord webhook URL, a Telegram bot token, a webhook's signing key, an SMTP
/// password) is never here: <c>paas notify secret CHANNEL</c> keeps it in the encrypted store.
/// </summary>
public sealed record ChannelConfig
{
    [Description("slack, discord, telegram, webhook or smtp.")]
    public ChannelKind Kind { get; init; }

    [Description("webhook: where events are POSTed as signed JSON (https; http only to this machine).")]
    public string? Url { get; init; }

    [Description("telegram: the chat the bot writes to.")]
    public string? ChatId { get; init; }

    [Description("telegram: the Bot API's address. Default https://api.telegram.org.")]
    public string ApiUrl { get; init; } = "https://api.telegram.org";

    [Description("smtp: the mail server's host name.")]
    public string? Host { get; init; }

    [Description("smtp: its port. Default 587 (465 with tls: tls).")]
    public int? Port { get; init; }

    [Description("smtp: startTls (default), tls, or none (only to a server on this machine).")]
    public SmtpTls Tls { get; init; } = SmtpTls.StartTls;

    [Description("smtp: the sender address.")]
    public string? From { get; init; }

    [Description("smtp: the recipients.")]
    public ValueList<string> To { get; init; } = ValueList<string>.Empty;

    [Description("smtp: the user to sign in as (its password: paas notify secret CHANNEL).")]
    public string? Username { get; init; }

    /// <summary>What the channel's secret is, for messages; null when it needs none.</summary>
    public string? SecretNeeded => Kind switch
    {
        ChannelKind.Slack => "its incoming-webhook URL",
        ChannelKind.Discord => "its webhook URL",
        ChannelKind.Telegram => "the bot's token",
        ChannelKind.Webhook => "the key its requests are signed with (HMAC-SHA256)",
        ChannelKind.Smtp => Username is null ? null : "the password of " + Username,
        _ => null,
    };
}

/// <summary>
/// <c>notifications:</c> in platform.yaml: the channels manifests may route events to
/// (<c>notify: [{channel, on}]</c>), where a message's link points, and how long a delivery is
/// retried before it is given up (and counted as dropped).
/// </summary>
public sealed record NotificationsConfig
{
    [Description("Channels by name.")]
    public ValueMap<ChannelConfig> Channels { get; init; } = ValueMap<ChannelConfig>.Empty;

    [Description("The dashboard's public address: each message links to the deployment there (e.g. https://paas.example.com).")]
    public string? DashboardUrl { get; init; }

    [Description("How long a message a channel does not take is tried again (backing off to once a minute). Default 24h.")]
    public Duration RetryFor { get; init; } = Duration.FromSeconds(24 * 3600);

    public static readonly NotificationsConfig None = new();

    /// <summary>What each channel must have for its kind, each with its <c>platform.yaml:line:column</c>.</summary>
    public void Check(SourceMap map, string path, List<Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        void Problem(string at, string message) => problems.Add(new Diagnostic(ErrorCodes.Required, message, map.Locate(at), at));
        foreach (var (name, channel) in Channels)
        {
            var at = $"{path}.channels.{name}";
            if (!Schema.Validation.Grammar.Name().IsMatch(name))
            {
                Problem(at, $"channel name '{name}' must be lower-case letters, digits and '-', starting with a letter");
            }

            switch (channel.Kind)
            {
                case ChannelKind.Webhook when channel.Url is null || Endpoint.Refusal(channel.Url) is not null:
                    Problem($"{at}.url", channel.Url is null ? $"channel {name} (webhook) needs url" : $"{at}.url: {Endpoint.Refusal(channel.Url)}");
                    break;
                case ChannelKind.Telegram when string.IsNullOrWhiteSpace(channel.ChatId):
                    Problem($"{at}.chatId", $"channel {name} (telegram) needs chatId");
                    break;
                case ChannelKind.Telegram when Endpoint.Refusal(channel.ApiUrl) is { } why:
                    Problem($"{at}.apiUrl", $"{at}.apiUrl: {why}");
                    break;
                case ChannelKind.Smtp when channel.Host is null || channel.From is null || channel.To.Count == 0:
                    Problem(at, $"channel {name} (smtp) needs host, from and to");
                    break;
                case ChannelKind.Smtp when channel.Tls == SmtpTls.None && !Endpoint.IsThisMachine(channel.Host!):
                    Problem($"{at}.tls", $"channel {name}: tls: none sends mail (and a password) in clear text, so only to a mail server on this machine, not {channel.Host}");
                    break;
            }
        }

        if (DashboardUrl is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            Problem($"{path}.dashboardUrl", $"dashboardUrl '{url}' is not an absolute address");
        }
    }
}

/// <summary>Where a channel may send: https anywhere, plain http only to this machine.</summary>
public static class Endpoint
{
    public static string? Refusal(string url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") ? $"'{url}' is not an http(s) address"
        : uri.Scheme == "http" && !IsThisMachine(uri.Host) ? $"'{url}' would travel in clear text; use https (plain http only to this machine)"
        : null;

    public static bool IsThisMachine(string host) =>
        host is "localhost" or "127.0.0.1" or "::1" or "[::1]";
}
