using System.ComponentModel;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.Providers.Azure;

/// <summary>A containerapps target's options in platform.yaml (after <c>kind: containerapps</c>).</summary>
public sealed record ContainerAppsOptions
{
    public const string DefaultEndpoint = "https://management.azure.com";

    /// <summary>The identity a Key Vault reference is read with when the target names none: the app's system-assigned one.</summary>
    public const string SystemIdentity = "system";

    [Description("Azure subscription id (a GUID) the resource group is in. Required.")]
    public string? Subscription { get; init; }

    [Description("Resource group the container apps are made in. Required.")]
    public string? ResourceGroup { get; init; }

    [Description("The Container Apps managed environment the apps run in: its name (in the resource group) or its full resource id. Required.")]
    public string? Environment { get; init; }

    [Description("Azure region of the apps, the managed environment's, e.g. westeurope. Required.")]
    public string? Location { get; init; }

    [Description("Resource id of a user-assigned managed identity that may read the Key Vault secrets the services' secrets refer to. Default: system (each app's system-assigned identity).")]
    public string KeyVaultIdentity { get; init; } = SystemIdentity;

    [Description("Base URL of Azure Resource Manager instead of https://management.azure.com: for a local stand-in in tests only.")]
    public string? Endpoint { get; init; }

    [Description("Microsoft Entra authority host a stored service principal signs in at instead of https://login.microsoftonline.com: for a local stand-in in tests only.")]
    public string? Authority { get; init; }

    [Description("Seconds a rollout may take before the platform gives up and puts the previous template back. Default: 900.")]
    public int RolloutTimeoutSeconds { get; init; } = 900;

    [Description("How often a rollout and its asynchronous operation are polled, e.g. 3s. Default: 3s.")]
    public Duration Poll { get; init; } = Duration.FromSeconds(3);

    [Description("Unix socket of the Docker engine that builds images for this target (they reach Container Apps through the platform's registry). Default: /var/run/docker.sock.")]
    public string? BuilderSocket { get; init; }

    /// <summary>The engine that builds and pushes images for Container Apps.</summary>
    public EngineEndpoint Builder => new() { Kind = EngineKind.Docker, Socket = BuilderSocket };

    public Uri BaseUri => new(Endpoint ?? DefaultEndpoint);

    /// <summary><c>/subscriptions/S/resourceGroups/G</c>: where every app of the target is.</summary>
    public string ResourceGroupId => $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}";

    /// <summary>The managed environment's resource id, from its name when only the name was given.</summary>
    public string EnvironmentId =>
        Environment is { } given && given.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
            ? given
            : $"{ResourceGroupId}/providers/Microsoft.App/managedEnvironments/{Environment}";
}
