using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws.Api;
using Gitops.Providers.Docker;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gitops.Providers.Aws;

/// <summary>
/// The target kind <c>ecs</c>: an ECS cluster on Fargate in one region, reached with the keys stored
/// for the target (<c>paas target credentials NAME</c>), else the standard AWS credential chain
/// (environment, a named profile, an instance or task role), and signed SigV4.
/// </summary>
public sealed class EcsProvider : ITargetProvider
{
    public static readonly EcsProvider Instance = new();

    public string Kind => EcsDriver.KindName;

    /// <summary>Binds the options and says, with each one's platform.yaml:line:column, what an ecs target cannot do without.</summary>
    public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        var bound = ManifestBinder.Bind<EcsOptions>(options, map, problems, path);
        void Problem(string key, string message) => problems.Add(new Diagnostic(ErrorCodes.Required, message, map.Locate($"{path}.{key}"), $"{path}.{key}"));
        if (string.IsNullOrWhiteSpace(bound.Region))
        {
            Problem("region", $"{path}: an ecs target needs region: (e.g. eu-west-1)");
        }

        if (string.IsNullOrWhiteSpace(bound.Cluster))
        {
            Problem("cluster", $"{path}: an ecs target needs cluster: (the ECS cluster's name)");
        }

        if (bound.Subnets.Count == 0)
        {
            Problem("subnets", $"{path}: an ecs target needs subnets: (the subnet ids its tasks run in)");
        }

        if (bound.SecurityGroups.Count == 0)
        {
            Problem("securityGroups", $"{path}: an ecs target needs securityGroups: (the security group ids of its tasks)");
        }

        if (string.IsNullOrWhiteSpace(bound.ExecutionRole))
        {
            Problem("executionRole", $"{path}: an ecs target needs executionRole: (the ARN of the task execution role that pulls images and writes logs)");
        }

        if (!EcsSettle.All.Contains(bound.Settle, StringComparer.Ordinal))
        {
            Problem("settle", $"{path}.settle: '{bound.Settle}' is not one of {string.Join(", ", EcsSettle.All)}");
        }

        if (bound.Endpoint is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            Problem("endpoint", $"{path}.endpoint: '{endpoint}' is not an http(s) URL");
        }

        if (bound.LoadBalancerListener is { } listener && !listener.StartsWith("arn:", StringComparison.Ordinal))
        {
            Problem("loadBalancerListener", $"{path}.loadBalancerListener: give the listener's ARN (arn:aws:elasticloadbalancing:…:listener/app/…)");
        }

        return bound;
    }

    /// <summary>Never the default target: a cloud account is a choice platform.yaml states.</summary>
    public object? DetectLocal() => null;

    public string Describe(TargetConfig target)
    {
        var options = Options(target);
        return $"ecs cluster {options.Cluster} in {options.Region}{(options.Endpoint is null ? "" : $" at {options.Endpoint}")}";
    }

    public TargetConnection Connect(TargetConfig target)
    {
        var options = Options(target);
        var credentials = TargetCredentials.Read(target) is { } stored ? StoredAwsKeys.Parse(stored, target.Name) : Credentials(options);
        var driver = Open(options, credentials, NullLogger.Instance);
        var builder = EngineClient.Create(options.Builder);
        return new TargetConnection(driver, new PulledByTargetImages(new DockerImageBuilder(builder, options.Builder), "Fargate pulls it")) { Ingress = new EcsIngress(driver) };
    }

    /// <summary>Keys kept with <c>paas target credentials NAME</c> must be a key pair in the shape the aws CLI exports.</summary>
    public string? CredentialsProblem(string value) => StoredAwsKeys.Problem(value);

    /// <summary>The driver over its own signed transport; <paramref name="inner"/> is the handler under the signer (tests).</summary>
    public static EcsDriver Open(EcsOptions options, AWSCredentials credentials, ILogger log, Func<HttpMessageHandler>? inner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var transport = new AwsTransport(credentials, options.Region!, options.Endpoint is { } endpoint ? new Uri(endpoint) : null, log, inner);
        return new EcsDriver(new EcsClient(transport), new ElbClient(transport), new ScalingClient(transport), new LogsClient(transport), new SchedulerClient(transport), options, transport.Region, log, transport);
    }

    /// <summary>The named profile's credentials, else the standard chain; nothing is read until a call is signed.</summary>
    public static AWSCredentials Credentials(EcsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Profile is { } profile)
        {
            return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var found)
                ? found
                : throw new TargetUnavailableException($"ecs target: no AWS profile '{profile}' in ~/.aws/credentials or ~/.aws/config");
        }

        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(); // the environment, a profile, an instance or task role
        }
        catch (AmazonClientException e)
        {
            throw new TargetUnavailableException($"ecs target: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or run with an instance role): {e.Message}", e);
        }
    }

    private static EcsOptions Options(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Options as EcsOptions ?? throw new ArgumentException($"target '{target.Name}' is a {target.Kind} target, not ecs", nameof(target));
    }
}
