using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Gitops.Engine.Notifications;

/// <summary>A channel refused a message (or could not be reached): it is tried again later.</summary>
public sealed class DeliveryException(string message) : Exception(message);

/// <summary>
/// Sends one message to one channel in the shape its service documents: Slack's and Discord's
/// incoming webhooks, Telegram's Bot API <c>sendMessage</c>, a JSON webhook signed with
/// HMAC-SHA256, or e-mail over SMTP (MailKit). A failure is a <see cref="DeliveryException"/> whose
/// message never holds the channel's secret.
/// </summary>
public sealed class ChannelSenders(HttpClient http)
{
    /// <summary>The header carrying a webhook's signature: <c>sha256=</c> and the hex HMAC-SHA256 of the body under the channel's key.</summary>
    public const string SignatureHeader = "X-Paas-Signature";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SendAsync(string name, ChannelConfig channel, string? secret, Notification message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        if (channel.SecretNeeded is { } needed && string.IsNullOrEmpty(secret))
        {
            throw new DeliveryException($"channel {name} has no secret yet ({needed}): paas notify secret {name}");
        }

        try
        {
            switch (channel.Kind)
            {
                case ChannelKind.Slack:
                    await PostAsync(secret!, new
                    {
                        text = message.Text,
                        blocks = new object[] { new { type = "section", text = new { type = "mrkdwn", text = Slack(message) } } },
                    }, null, message.Event, cancellationToken).ConfigureAwait(false);
                    break;
                case ChannelKind.Discord:
                    // No mentions: a failure's detail is text from a tenant's build and must not page @everyone.
                    await PostAsync(secret!, new { content = Shorten($"**{message.Title}**\n{message.Body}\n{message.Link}".TrimEnd(), 2000), username = "paas", allowed_mentions = new { parse = Array.Empty<string>() } }, null, message.Event, cancellationToken).ConfigureAwait(false);
                    break;
                case ChannelKind.Telegram:
                    await TelegramAsync(channel, secret!, message, cancellationToken).ConfigureAwait(false);
                    break;
                case ChannelKind.Webhook:
                    await PostAsync(channel.Url!, Webhook(message), secret!, message.Event, cancellationToken).ConfigureAwait(false);
                    break;
                case ChannelKind.Smtp:
                    await MailAsync(channel, secret, message, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or System.Net.Sockets.SocketException or MailKit.ProtocolException or MailKit.CommandException or AuthenticationException or SslHandshakeException or FormatException && !cancellationToken.IsCancellationRequested)
        {
            throw new DeliveryException(Scrub(e is TaskCanceledException ? "no answer within 10 s" : e.Message, secret));
        }
        catch (DeliveryException e)
        {
            throw new DeliveryException(Scrub(e.Message, secret));
        }
    }

    /// <summary>The JSON a webhook channel receives.</summary>
    public static object Webhook(Notification message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new
        {
            id = message.Id,
            @event = message.Event,
            project = message.Project,
            environment = message.Environment,
            title = message.Title,
            body = message.Body,
            commit = message.Commit,
            deployment = message.DeploymentId,
            service = message.Service,
            detail = message.Detail,
            link = message.Link,
            at = message.At,
        };
    }

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="key"/>.</summary>
    public static string Signature(string key, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));

    private async Task PostAsync(string url, object payload, string? signingKey, string eventName, CancellationToken cancellationToken)
    {
        if (Endpoint.Refusal(url) is { } refused)
        {
            throw new DeliveryException(refused);
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(payload, Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (signingKey is not null)
        {
            request.Headers.Add(SignatureHeader, Signature(signingKey, body));
            request.Headers.Add("X-Paas-Event", eventName);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var said = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new DeliveryException($"HTTP {(int)response.StatusCode}{(said.Length > 0 ? ": " + Shorten(said, 200) : "")}");
        }
    }

    private async Task TelegramAsync(ChannelConfig channel, string token, Notification message, CancellationToken cancellationToken)
    {
        var url = $"{channel.ApiUrl.TrimEnd('/')}/bot{token}/sendMessage";
        using var response = await http.PostAsJsonAsync(url, new { chat_id = channel.ChatId, text = Shorten(message.Text, 4096), disable_web_page_preview = true }, Json, cancellationToken).ConfigureAwait(false);
        var said = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // The Bot API says why in "description" (chat not found, bot blocked, too many requests).
            var why = TryDescription(said) ?? Shorten(said, 200);
            throw new DeliveryException($"HTTP {(int)response.StatusCode}: {why}");
        }
    }

    private static async Task MailAsync(ChannelConfig channel, string? password, Notification message, CancellationToken cancellationToken)
    {
        var mail = new MimeMessage { Subject = $"[paas] {message.Title}" };
        mail.From.Add(MailboxAddress.Parse(channel.From!));
        foreach (var to in channel.To)
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        mail.Body = new TextPart("plain") { Text = message.Text + "\n" };
        using var smtp = new SmtpClient { Timeout = 10_000 };
        var (port, security) = channel.Tls switch
        {
            SmtpTls.Tls => (channel.Port ?? 465, SecureSocketOptions.SslOnConnect),
            SmtpTls.None => (channel.Port ?? 25, SecureSocketOptions.None),
            _ => (channel.Port ?? 587, SecureSocketOptions.StartTls),
        };
        await smtp.ConnectAsync(channel.Host!, port, security, cancellationToken).ConfigureAwait(false);
        if (channel.Username is { } user)
        {
            await smtp.AuthenticateAsync(user, password ?? "", cancellationToken).ConfigureAwait(false);
        }

        await smtp.SendAsync(mail, cancellationToken).ConfigureAwait(false);
        await smtp.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
    }

    private static string Slack(Notification message) =>
        $"*{Escape(message.Title)}*\n{Escape(message.Body)}{(message.Link is { } link ? $"\n<{link}|Open in the dashboard>" : "")}";

    /// <summary>Slack's mrkdwn control characters, as its documentation says to escape them.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string? TryDescription(string json)
    {
        try
        {
            return JsonDocument.Parse(json).RootElement.TryGetProperty("description", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text, int most) => text.Length <= most ? text : text[..(most - 1)] + "…";

    private static string Scrub(string message, string? secret) =>
        string.IsNullOrEmpty(secret) ? message : message.Replace(secret, "[secret]", StringComparison.Ordinal);
}
