using Azure.Core;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure.Api;
using Gitops.Providers.Docker;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gitops.Providers.Azure;

/// <summary>
/// The target kind <c>containerapps</c>: container apps in one Azure resource group and managed
/// environment, reached with the service principal stored for the target (<c>paas target credentials
/// NAME</c>), else <c>DefaultAzureCredential</c> (environment, managed identity, the az CLI's sign-in).
/// </summary>
public sealed partial class ContainerAppsProvider : ITargetProvider
{
    public static readonly ContainerAppsProvider Instance = new();

    public string Kind => ContainerAppsDriver.KindName;

    /// <summary>Tests only: the handler <see cref="Connect"/>'s ARM and Entra requests go through (one that trusts a fake's certificate); null: the default.</summary>
    internal static Func<HttpMessageHandler>? Handler { get; set; }

    /// <summary>Binds the options and says, with each one's platform.yaml:line:column, what a containerapps target cannot do without.</summary>
    public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        var bound = ManifestBinder.Bind<ContainerAppsOptions>(options, map, problems, path);
        void Problem(string key, string message) => problems.Add(new Diagnostic(ErrorCodes.Required, message, map.Locate($"{path}.{key}"), $"{path}.{key}"));
        if (string.IsNullOrWhiteSpace(bound.Subscription))
        {
            Problem("subscription", $"{path}: a containerapps target needs subscription: (the Azure subscription id, a GUID)");
        }
        else if (!Guid.TryParseExact(bound.Subscription, "D", out _))
        {
            Problem("subscription", $"{path}.subscription: '{bound.Subscription}' is not a subscription id (a GUID like 00000000-0000-0000-0000-000000000000)");
        }

        if (string.IsNullOrWhiteSpace(bound.ResourceGroup))
        {
            Problem("resourceGroup", $"{path}: a containerapps target needs resourceGroup: (the resource group its apps are made in)");
        }
        else if (!ResourceGroups().IsMatch(bound.ResourceGroup))
        {
            Problem("resourceGroup", $"{path}.resourceGroup: '{bound.ResourceGroup}' is not a resource group name (1 to 90 letters, digits, '-', '_', '.' and '(' ')', not ending with '.')");
        }

        if (string.IsNullOrWhiteSpace(bound.Environment))
        {
            Problem("environment", $"{path}: a containerapps target needs environment: (the managed environment's name or resource id)");
        }
        else if (bound.Environment.StartsWith('/') && !bound.Environment.Contains("/providers/Microsoft.App/managedEnvironments/", StringComparison.OrdinalIgnoreCase))
        {
            Problem("environment", $"{path}.environment: '{bound.Environment}' is not a managed environment's resource id (/subscriptions/…/providers/Microsoft.App/managedEnvironments/NAME)");
        }

        if (string.IsNullOrWhiteSpace(bound.Location))
        {
            Problem("location", $"{path}: a containerapps target needs location: (the managed environment's region, e.g. westeurope)");
        }
        else if (!Locations().IsMatch(bound.Location))
        {
            Problem("location", $"{path}.location: '{bound.Location}' is not an Azure region name (like westeurope or eastus2)");
        }

        if (bound.Endpoint is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            Problem("endpoint", $"{path}.endpoint: '{endpoint}' is not an http(s) URL");
        }

        if (bound.Authority is { } authority && !(Uri.TryCreate(authority, UriKind.Absolute, out var host) && host.Scheme == "https"))
        {
            Problem("authority", $"{path}.authority: '{authority}' is not an https URL (Microsoft Entra authorities are https only)");
        }

        if (bound.KeyVaultIdentity != ContainerAppsOptions.SystemIdentity && !bound.KeyVaultIdentity.Contains("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/", StringComparison.OrdinalIgnoreCase))
        {
            Problem("keyVaultIdentity", $"{path}.keyVaultIdentity: give system or a user-assigned identity's resource id (/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME), not '{bound.KeyVaultIdentity}'");
        }

        if (bound.RolloutTimeoutSeconds is < 10 or > 86_400)
        {
            Problem("rolloutTimeoutSeconds", $"{path}.rolloutTimeoutSeconds: {bound.RolloutTimeoutSeconds} is outside 10 to 86400 seconds");
        }

        if (bound.Poll.Value <= TimeSpan.Zero || bound.Poll.Value > TimeSpan.FromMinutes(1))
        {
            Problem("poll", $"{path}.poll: poll between 1ms and 1m, e.g. 3s");
        }

        return bound;
    }

    /// <summary>Never the default target: a cloud account is a choice platform.yaml states.</summary>
    public object? DetectLocal() => null;

    public string Describe(TargetConfig target)
    {
        var options = Options(target);
        return $"container apps in {options.ResourceGroup} ({options.Location}){(options.Endpoint is null ? "" : $" at {options.Endpoint}")}";
    }

    public TargetConnection Connect(TargetConfig target)
    {
        var options = Options(target);
        var stored = TargetCredentials.Read(target) is { } value ? StoredServicePrincipal.Parse(value, target.Name) : null;
        var driver = Open(options, AzureCredentials.For(options, stored, Handler), NullLogger.Instance, Handler);
        var builder = EngineClient.Create(options.Builder);
        return new TargetConnection(driver, new PulledByTargetImages(new DockerImageBuilder(builder, options.Builder), "Container Apps pulls it")) { Ingress = new ContainerAppsIngress(driver) };
    }

    /// <summary>A service principal kept with <c>paas target credentials NAME</c> must be in the shape <c>az ad sp create-for-rbac</c> prints.</summary>
    public string? CredentialsProblem(string value) => StoredServicePrincipal.Problem(value);

    /// <summary>The driver over its own transport; <paramref name="inner"/> is the handler ARM requests go through (tests).</summary>
    public static ContainerAppsDriver Open(ContainerAppsOptions options, TokenCredential credential, ILogger log, Func<HttpMessageHandler>? inner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var transport = new ArmTransport(options.BaseUri, credential, log, inner?.Invoke());
        return new ContainerAppsDriver(new ContainerAppsClient(transport, options.ResourceGroupId), options, log, transport);
    }

    private static ContainerAppsOptions Options(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Options as ContainerAppsOptions ?? throw new ArgumentException($"target '{target.Name}' is a {target.Kind} target, not containerapps", nameof(target));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[-\w._()]{0,89}[-\w_()]$")]
    private static partial System.Text.RegularExpressions.Regex ResourceGroups();

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]+[a-z0-9]*$")]
    private static partial System.Text.RegularExpressions.Regex Locations();
}
