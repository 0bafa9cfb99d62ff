using System.Net;

namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// <see cref="ICloudRunClient"/> over the Cloud Run Admin API v2's REST surface
/// (https://cloud.google.com/run/docs/reference/rest): <c>/v2/projects/P/locations/R/services…</c>,
/// <c>:getIamPolicy</c>/<c>:setIamPolicy</c>, <c>/v2/{operation}</c> for long-running operations, and a
/// cron's jobs (<see cref="ICloudRunJobsClient"/>): <c>…/jobs</c> of the Admin API and of Cloud Scheduler
/// (<paramref name="scheduler"/>, through the same transport and its retries).
/// </summary>
/// <param name="run">The Admin API's base URL Cloud Scheduler calls a job's <c>:run</c> at.</param>
/// <param name="scheduler">The Cloud Scheduler API's base URL.</param>
public sealed partial class CloudRunClient(CloudRunTransport transport, string project, string region, Uri run, Uri scheduler) : ICloudRunClient, ICloudRunJobsClient
{
    public string Parent { get; } = $"projects/{project}/locations/{region}";

    public async Task<RunService?> GetServiceAsync(string service, CancellationToken cancellationToken)
    {
        try
        {
            return await transport.SendAsync<RunService>(HttpMethod.Get, Path(service), null, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<RunService>> ListServicesAsync(CancellationToken cancellationToken) =>
        AllPagesAsync<ServicePage, RunService>($"/v2/{Parent}/services", p => (p.Services, p.NextPageToken), cancellationToken);

    public async Task<Operation> CreateServiceAsync(string service, RunService body, CancellationToken cancellationToken) =>
        await transport.SendAsync<Operation>(HttpMethod.Post, $"/v2/{Parent}/services?serviceId={Uri.EscapeDataString(service)}", body, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException("cloud run answered a create without an operation");

    public async Task<Operation> UpdateServiceAsync(string service, RunService body, CancellationToken cancellationToken) =>
        await transport.SendAsync<Operation>(HttpMethod.Patch, Path(service), body, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException("cloud run answered a patch without an operation");

    public async Task<Operation?> DeleteServiceAsync(string service, CancellationToken cancellationToken)
    {
        try
        {
            return await transport.SendAsync<Operation>(HttpMethod.Delete, Path(service), null, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<Revision>> ListRevisionsAsync(string service, CancellationToken cancellationToken) =>
        AllPagesAsync<RevisionPage, Revision>($"{Path(service)}/revisions", p => (p.Revisions, p.NextPageToken), cancellationToken);

    public async Task<Operation> GetOperationAsync(string name, CancellationToken cancellationToken) =>
        await transport.SendAsync<Operation>(HttpMethod.Get, $"/v2/{name}", null, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException($"cloud run answered nothing for operation {name}");

    public async Task<Policy> GetIamPolicyAsync(string service, CancellationToken cancellationToken) =>
        await transport.SendAsync<Policy>(HttpMethod.Get, $"{Path(service)}:getIamPolicy", null, cancellationToken).ConfigureAwait(false) ?? new Policy();

    public async Task<Policy> SetIamPolicyAsync(string service, Policy policy, CancellationToken cancellationToken) =>
        await transport.SendAsync<Policy>(HttpMethod.Post, $"{Path(service)}:setIamPolicy", new { policy }, cancellationToken).ConfigureAwait(false) ?? policy;

    private string Path(string service) => $"/v2/{Parent}/services/{Uri.EscapeDataString(service)}";

    /// <summary>A list call's every page, 100 at a time, following nextPageToken.</summary>
    private async Task<IReadOnlyList<T>> AllPagesAsync<TPage, T>(string path, Func<TPage, (List<T>? Items, string? Next)> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? next = null;
        do
        {
            var token = next is null ? "" : $"&pageToken={Uri.EscapeDataString(next)}";
            var page = await transport.SendAsync<TPage>(HttpMethod.Get, $"{path}?pageSize=100{token}", null, cancellationToken).ConfigureAwait(false);
            var (found, after) = page is null ? (null, null) : read(page);
            items.AddRange(found ?? []);
            next = after;
        }
        while (!string.IsNullOrEmpty(next));
        return items;
    }

    private sealed record ServicePage(List<RunService>? Services, string? NextPageToken);

    private sealed record RevisionPage(List<Revision>? Revisions, string? NextPageToken);
}
