using Gitops.Engine.Notifications;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// The platform's notification channels (platform administration only: they are the platform's,
/// shared by every project): how each fares, its secret set (a value only in, never out), a test
/// message sent through the outbox like any other.
/// </summary>
internal static class NotificationEndpoints
{
    public sealed record SecretRequest(string? Value);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/notifications", (StateStore state, PlatformConfig platform) => ChannelView.All(state, platform.Notifications)).ForPlatform();
        api.MapPut("/notifications/{channel}/secret", (StateStore state, PlatformConfig platform, string channel, SecretRequest request) =>
            Known(platform, channel) is { } unknown ? unknown
            : string.IsNullOrEmpty(request.Value) || request.Value.Length > SecretEndpoints.MaxValueLength ? Results.BadRequest(new { error = "value: give the secret (at most 64 KiB)" })
            : Results.Ok(new { channel, version = new ChannelSecrets(new SecretStore(state)).Set(channel, request.Value) })).ForPlatform();
        api.MapPost("/notifications/{channel}/test", (HttpContext http, NotificationDispatcher dispatcher, PlatformConfig platform, string channel) =>
            Known(platform, channel) ?? Results.Accepted(value: dispatcher.Test(channel, AccessFilter.PrincipalOf(http)!.Name))).ForPlatform();
    }

    private static IResult? Known(PlatformConfig platform, string channel) =>
        platform.Notifications.Channels.ContainsKey(channel) ? null
        : Results.NotFound(new { error = $"no channel '{channel}' in platform.yaml (notifications.channels: {string.Join(", ", platform.Notifications.Channels.Keys)})" });
}
