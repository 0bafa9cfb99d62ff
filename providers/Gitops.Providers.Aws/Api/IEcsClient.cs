namespace Gitops.Providers.Aws.Api;

/// <summary>
/// The ECS calls the driver makes, shaped like <c>Amazon.ECS.IAmazonECS</c> (one request, one
/// answer, same names), so the SDK can replace <see cref="EcsClient"/> in one place.
/// Not-found answers that the SDK would throw are null or empty here, as the driver treats "gone" as success.
/// </summary>
public interface IEcsClient
{
    Task<Cluster?> DescribeClusterAsync(string cluster, CancellationToken cancellationToken);

    Task<Cluster> CreateClusterAsync(string cluster, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    Task<TaskDefinition> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken);

    Task<DescribeTaskDefinitionResponse?> DescribeTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken);

    /// <summary>ACTIVE revisions of a family, newest first.</summary>
    Task<IReadOnlyList<string>> ListTaskDefinitionsAsync(string familyPrefix, CancellationToken cancellationToken);

    Task DeregisterTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListServicesAsync(string cluster, CancellationToken cancellationToken);

    /// <summary>The services found (with their tags); missing ones are left out.</summary>
    Task<IReadOnlyList<Service>> DescribeServicesAsync(string cluster, IReadOnlyList<string> services, CancellationToken cancellationToken);

    Task<Service> CreateServiceAsync(CreateServiceRequest request, CancellationToken cancellationToken);

    Task<Service> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes (force: whatever its count); already gone is success.</summary>
    Task DeleteServiceAsync(string cluster, string service, CancellationToken cancellationToken);

    Task TagResourceAsync(string resourceArn, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    Task UntagResourceAsync(string resourceArn, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListTasksAsync(string cluster, string serviceName, CancellationToken cancellationToken);

    /// <summary>The cluster's tasks of a task definition family that ECS wants running (a cron's runs).</summary>
    Task<IReadOnlyList<string>> ListFamilyTasksAsync(string cluster, string family, CancellationToken cancellationToken);

    /// <summary>Stops a task with a reason ECS shows as its stoppedReason; one already stopped or gone is success.</summary>
    Task StopTaskAsync(string cluster, string task, string reason, CancellationToken cancellationToken);

    Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken);
}
