using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gitops.Providers.Aws.Api;

/// <summary>
/// <see cref="IEcsClient"/> over the ECS API's JSON 1.1 protocol
/// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/): a POST with
/// <c>X-Amz-Target: AmazonEC2ContainerServiceV20141113.&lt;Action&gt;</c>, camelCase members.
/// </summary>
public sealed class EcsClient(AwsTransport transport) : IEcsClient
{
    private const string Service = "ecs";
    private const string Target = "AmazonEC2ContainerServiceV20141113";

    private static readonly string[] WithTags = ["TAGS"];

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<Cluster?> DescribeClusterAsync(string cluster, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("DescribeClusters", new { clusters = new[] { cluster } }, cancellationToken).ConfigureAwait(false);
        return Read<List<Cluster>>(answer["clusters"])?.FirstOrDefault(c => c.Status == "ACTIVE");
    }

    public async Task<Cluster> CreateClusterAsync(string cluster, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        // CreateCluster is idempotent: the existing cluster of that name is the answer.
        var answer = await CallAsync("CreateCluster", new { clusterName = cluster, tags }, cancellationToken).ConfigureAwait(false);
        return Read<Cluster>(answer["cluster"])!;
    }

    public async Task<TaskDefinition> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken) =>
        Read<TaskDefinition>((await CallAsync("RegisterTaskDefinition", request, cancellationToken).ConfigureAwait(false))["taskDefinition"])!;

    public async Task<DescribeTaskDefinitionResponse?> DescribeTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await CallAsync("DescribeTaskDefinition", new { taskDefinition, include = WithTags }, cancellationToken).ConfigureAwait(false);
            return new DescribeTaskDefinitionResponse(Read<TaskDefinition>(answer["taskDefinition"])!, Read<List<Tag>>(answer["tags"]));
        }
        catch (AwsApiException e) when (e.Code is "ClientException" or "InvalidParameterException" && e.Status == System.Net.HttpStatusCode.BadRequest)
        {
            return null; // "Unable to describe task definition": no such family or revision
        }
    }

    public async Task<IReadOnlyList<string>> ListTaskDefinitionsAsync(string familyPrefix, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        string? next = null;
        do
        {
            var answer = await CallAsync("ListTaskDefinitions", new { familyPrefix, status = "ACTIVE", sort = "DESC", nextToken = next }, cancellationToken).ConfigureAwait(false);
            arns.AddRange(Read<List<string>>(answer["taskDefinitionArns"]) ?? []);
            next = (string?)answer["nextToken"];
        }
        while (next is not null);

        // The prefix matches longer families too (web and web-2): only this family's revisions.
        return arns.Where(a => FamilyOf(a) == familyPrefix).OrderByDescending(RevisionOf).ToList();
    }

    public async Task DeregisterTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("DeregisterTaskDefinition", new { taskDefinition }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code is "ClientException" or "InvalidParameterException")
        {
            // Already inactive or gone.
        }
    }

    public async Task<IReadOnlyList<string>> ListServicesAsync(string cluster, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        string? next = null;
        do
        {
            var answer = await ReadAsync("ListServices", new { cluster, maxResults = 100, nextToken = next }, cancellationToken).ConfigureAwait(false);
            arns.AddRange(Read<List<string>>(answer["serviceArns"]) ?? []);
            next = (string?)answer["nextToken"];
        }
        while (next is not null);

        return arns;
    }

    public async Task<IReadOnlyList<Service>> DescribeServicesAsync(string cluster, IReadOnlyList<string> services, CancellationToken cancellationToken)
    {
        var found = new List<Service>();
        foreach (var batch in services.Chunk(10)) // the API's limit per call
        {
            var answer = await ReadAsync("DescribeServices", new { cluster, services = batch, include = WithTags }, cancellationToken).ConfigureAwait(false);
            found.AddRange(Read<List<Service>>(answer["services"]) ?? []);
        }

        return found;
    }

    public async Task<Service> CreateServiceAsync(CreateServiceRequest request, CancellationToken cancellationToken) =>
        Read<Service>((await CallAsync("CreateService", request, cancellationToken).ConfigureAwait(false))["service"])!;

    public async Task<Service> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken) =>
        Read<Service>((await CallAsync("UpdateService", request, cancellationToken).ConfigureAwait(false))["service"])!;

    public async Task DeleteServiceAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("DeleteService", new { cluster, service, force = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code is "ServiceNotFoundException" or "ServiceNotActiveException")
        {
            // Already gone.
        }
    }

    public Task TagResourceAsync(string resourceArn, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        CallAsync("TagResource", new { resourceArn, tags }, cancellationToken);

    public Task UntagResourceAsync(string resourceArn, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken) =>
        CallAsync("UntagResource", new { resourceArn, tagKeys }, cancellationToken);

    public async Task<IReadOnlyList<string>> ListFamilyTasksAsync(string cluster, string family, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        string? next = null;
        do
        {
            var answer = await ReadAsync("ListTasks", new { cluster, family, desiredStatus = "RUNNING", nextToken = next }, cancellationToken).ConfigureAwait(false);
            arns.AddRange(Read<List<string>>(answer["taskArns"]) ?? []);
            next = (string?)answer["nextToken"];
        }
        while (next is not null);

        return arns;
    }

    public async Task StopTaskAsync(string cluster, string task, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("StopTask", new { cluster, task, reason }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code is "InvalidParameterException" or "ClusterNotFoundException")
        {
            // Already stopped and gone.
        }
    }

    public async Task<IReadOnlyList<string>> ListTasksAsync(string cluster, string serviceName, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        string? next = null;
        do
        {
            var answer = await ReadAsync("ListTasks", new { cluster, serviceName, desiredStatus = "RUNNING", nextToken = next }, cancellationToken).ConfigureAwait(false);
            arns.AddRange(Read<List<string>>(answer["taskArns"]) ?? []);
            next = (string?)answer["nextToken"];
        }
        while (next is not null);

        return arns;
    }

    public async Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
    {
        var found = new List<EcsTask>();
        foreach (var batch in tasks.Chunk(100))
        {
            var answer = await ReadAsync("DescribeTasks", new { cluster, tasks = batch, include = WithTags }, cancellationToken).ConfigureAwait(false);
            found.AddRange(Read<List<EcsTask>>(answer["tasks"]) ?? []);
        }

        return found;
    }

    /// <summary><c>arn:…:task-definition/FAMILY:REV</c> → FAMILY.</summary>
    public static string FamilyOf(string arn) => arn[(arn.LastIndexOf('/') + 1)..].Split(':')[0];

    public static int RevisionOf(string arn) => int.TryParse(arn[(arn.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private Task<JsonObject> CallAsync(string action, object request, CancellationToken cancellationToken) =>
        transport.JsonAsync(Service, Target, action, (JsonObject)JsonSerializer.SerializeToNode(request, Json)!, cancellationToken);

    /// <summary>A read of a cluster that does not exist yet finds nothing in it (the first apply makes it).</summary>
    private async Task<JsonObject> ReadAsync(string action, object request, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(action, request, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ClusterNotFoundException")
        {
            return [];
        }
    }

    private static T? Read<T>(JsonNode? node) => node is null ? default : node.Deserialize<T>(Json);
}
