namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// The Cloud Run Admin API v2 calls the driver makes, shaped like <c>Google.Cloud.Run.V2</c>'s
/// ServicesClient and RevisionsClient (one request, one answer), so the SDK can replace
/// <see cref="CloudRunClient"/> in one place. Not found is null (the driver treats gone as success);
/// names are the services' short ids within the target's project and region.
/// </summary>
public interface ICloudRunClient
{
    /// <summary><c>projects/P/locations/R</c>.</summary>
    string Parent { get; }

    Task<RunService?> GetServiceAsync(string service, CancellationToken cancellationToken);

    /// <summary>Every service of the project and region (all pages).</summary>
    Task<IReadOnlyList<RunService>> ListServicesAsync(CancellationToken cancellationToken);

    /// <summary>POST …/services?serviceId=: the operation; a service of that name answers ALREADY_EXISTS.</summary>
    Task<Operation> CreateServiceAsync(string service, RunService body, CancellationToken cancellationToken);

    /// <summary>PATCH …/services/S with the body's etag: an older etag answers ABORTED.</summary>
    Task<Operation> UpdateServiceAsync(string service, RunService body, CancellationToken cancellationToken);

    /// <summary>DELETE …/services/S: the operation, or null when it was already gone.</summary>
    Task<Operation?> DeleteServiceAsync(string service, CancellationToken cancellationToken);

    /// <summary>The service's revisions (all pages).</summary>
    Task<IReadOnlyList<Revision>> ListRevisionsAsync(string service, CancellationToken cancellationToken);

    /// <summary>GET /v2/{operation name}.</summary>
    Task<Operation> GetOperationAsync(string name, CancellationToken cancellationToken);

    Task<Policy> GetIamPolicyAsync(string service, CancellationToken cancellationToken);

    Task<Policy> SetIamPolicyAsync(string service, Policy policy, CancellationToken cancellationToken);
}
