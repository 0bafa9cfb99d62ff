namespace Gitops.Providers.Azure.Api;

/// <summary>
/// The Microsoft.App/containerApps calls the driver makes, shaped like
/// <c>Azure.ResourceManager.AppContainers</c>' ContainerAppResource (one request, one answer), so the
/// SDK can replace <see cref="ContainerAppsClient"/> in one place. Not found is null (the driver treats
/// gone as success); names are the apps' names within the target's resource group.
/// </summary>
public interface IContainerAppsClient
{
    /// <summary><c>/subscriptions/S/resourceGroups/G</c>.</summary>
    string ResourceGroup { get; }

    /// <summary>The app and its etag, or null.</summary>
    Task<(ContainerApp App, string? ETag)?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every container app of the resource group (all pages).</summary>
    Task<IReadOnlyList<ContainerApp>> ListAsync(CancellationToken cancellationToken);

    /// <summary>PUT (idempotent): a replace with <c>If-Match</c> of the etag given, a create (no etag) with <c>If-None-Match: *</c>; the app as answered and the async operation's URL.</summary>
    Task<(ContainerApp App, string? Operation)> PutAsync(string name, ContainerApp body, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>DELETE: the async operation's URL, or null when it was done at once or already gone.</summary>
    Task<string?> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>The app's revisions (all pages).</summary>
    Task<IReadOnlyList<AppRevision>> ListRevisionsAsync(string name, CancellationToken cancellationToken);

    /// <summary>The job (a cron's) and its etag, or null.</summary>
    Task<(ContainerAppJob Job, string? ETag)?> GetJobAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every Container Apps job of the resource group (all pages).</summary>
    Task<IReadOnlyList<ContainerAppJob>> ListJobsAsync(CancellationToken cancellationToken);

    /// <summary>PUT of a job, with the same preconditions as <see cref="PutAsync"/>; the async operation's URL.</summary>
    Task<string?> PutJobAsync(string name, ContainerAppJob body, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>DELETE of a job: the async operation's URL, or null when it was done at once or already gone.</summary>
    Task<string?> DeleteJobAsync(string name, CancellationToken cancellationToken);

    /// <summary>GET of an <c>Azure-AsyncOperation</c> (or <c>Location</c>) URL ARM answered with.</summary>
    Task<AsyncOperation> GetOperationAsync(string url, CancellationToken cancellationToken);
}
