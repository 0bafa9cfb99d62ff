using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Providers.Gcp.Api;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gitops.Providers.Gcp;

/// <summary>
/// The target kind <c>cloudrun</c>: Cloud Run services in one Google Cloud project and region,
/// reached with a service-account key (the one stored for the target with <c>paas target credentials
/// NAME</c>, else the file <c>GOOGLE_APPLICATION_CREDENTIALS</c> names) and its OAuth access tokens.
/// </summary>
public sealed partial class CloudRunProvider : ITargetProvider
{
    public const string CredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";

    public static readonly CloudRunProvider Instance = new();

    public string Kind => CloudRunDriver.KindName;

    /// <summary>Binds the options and says, with each one's platform.yaml:line:column, what a cloudrun target cannot do without.</summary>
    public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(problems);
        var bound = ManifestBinder.Bind<CloudRunOptions>(options, map, problems, path);
        void Problem(string key, string message) => problems.Add(new Diagnostic(ErrorCodes.Required, message, map.Locate($"{path}.{key}"), $"{path}.{key}"));
        if (string.IsNullOrWhiteSpace(bound.Project))
        {
            Problem("project", $"{path}: a cloudrun target needs project: (the Google Cloud project id, e.g. shop-prod-123)");
        }
        else if (!ProjectIds().IsMatch(bound.Project))
        {
            Problem("project", $"{path}.project: '{bound.Project}' is not a Google Cloud project id (6 to 30 lowercase letters, digits and '-', starting with a letter)");
        }

        if (string.IsNullOrWhiteSpace(bound.Region))
        {
            Problem("region", $"{path}: a cloudrun target needs region: (e.g. europe-west1)");
        }
        else if (!Regions().IsMatch(bound.Region))
        {
            Problem("region", $"{path}.region: '{bound.Region}' is not a Cloud Run region (like europe-west1 or us-central1)");
        }

        if (bound.Endpoint is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            Problem("endpoint", $"{path}.endpoint: '{endpoint}' is not an http(s) URL");
        }

        if (bound.SchedulerEndpoint is { } scheduler && !(Uri.TryCreate(scheduler, UriKind.Absolute, out var schedulerUri) && schedulerUri.Scheme is "http" or "https"))
        {
            Problem("schedulerEndpoint", $"{path}.schedulerEndpoint: '{scheduler}' is not an http(s) URL");
        }

        if (bound.SchedulerServiceAccount is { } caller && !caller.Contains('@', StringComparison.Ordinal))
        {
            Problem("schedulerServiceAccount", $"{path}.schedulerServiceAccount: give the service account's email (NAME@PROJECT.iam.gserviceaccount.com), not '{caller}'");
        }

        if (bound.RolloutTimeoutSeconds is < 10 or > 86_400)
        {
            Problem("rolloutTimeoutSeconds", $"{path}.rolloutTimeoutSeconds: {bound.RolloutTimeoutSeconds} is outside 10 to 86400 seconds");
        }

        if (bound.Poll.Value <= TimeSpan.Zero || bound.Poll.Value > TimeSpan.FromMinutes(1))
        {
            Problem("poll", $"{path}.poll: poll between 1ms and 1m, e.g. 3s");
        }

        if (bound.ServiceAccount is { } account && !account.Contains('@', StringComparison.Ordinal))
        {
            Problem("serviceAccount", $"{path}.serviceAccount: give the service account's email (NAME@PROJECT.iam.gserviceaccount.com), not '{account}'");
        }

        return bound;
    }

    /// <summary>Never the default target: a cloud account is a choice platform.yaml states.</summary>
    public object? DetectLocal() => null;

    public string Describe(TargetConfig target)
    {
        var options = Options(target);
        return $"cloud run in {options.Project}/{options.Region}{(options.Endpoint is null ? "" : $" at {options.Endpoint}")}";
    }

    public TargetConnection Connect(TargetConfig target)
    {
        var options = Options(target);
        var driver = Open(options, () => TargetCredentials.Read(target) ?? KeyFromEnvironment(), NullLogger.Instance);
        var builder = EngineClient.Create(options.Builder);
        return new TargetConnection(driver, new PulledByTargetImages(new DockerImageBuilder(builder, options.Builder), "Cloud Run pulls it")) { Ingress = new CloudRunIngress(driver) };
    }

    /// <summary>A key kept with <c>paas target credentials NAME</c> must be a service account's JSON key.</summary>
    public string? CredentialsProblem(string value) => StoredServiceAccountKey.Problem(value);

    /// <summary>
    /// The driver over its own transport. <paramref name="serviceAccountJson"/> is the seam the key
    /// comes through (read on the first call, never kept outside the credential); <paramref name="inner"/>
    /// is the handler API requests go through (tests).
    /// </summary>
    public static CloudRunDriver Open(CloudRunOptions options, Func<string?> serviceAccountJson, ILogger log, Func<HttpMessageHandler>? inner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tokens = new GoogleAccessTokens(serviceAccountJson);
        var transport = new CloudRunTransport(options.BaseUri, tokens, log, inner?.Invoke());
        var client = new CloudRunClient(transport, options.Project!, options.Region!, options.BaseUri, options.SchedulerUri);
        return new CloudRunDriver(client, options, log, transport) { Caller = () => options.SchedulerServiceAccount ?? tokens.ClientEmail };
    }

    /// <summary>The key file <c>GOOGLE_APPLICATION_CREDENTIALS</c> names, or null: used when no key is stored for the target.</summary>
    public static string? KeyFromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable(CredentialsVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TargetUnavailableException($"cloudrun target: cannot read the service-account key {CredentialsVariable} names ({path}): {e.Message}", e);
        }
    }

    private static CloudRunOptions Options(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Options as CloudRunOptions ?? throw new ArgumentException($"target '{target.Name}' is a {target.Kind} target, not cloudrun", nameof(target));
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial System.Text.RegularExpressions.Regex ProjectIds();

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]+-[a-z]+[0-9]+$")]
    private static partial System.Text.RegularExpressions.Regex Regions();
}
