using System.Net;

namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// <see cref="ICloudRunClient"/> over the Cloud Run Admin API v2's REST surface
/// (https://cloud.google.com/run/docs/reference/rest): <c>/v2/projects/P/locations/R/services…</c>,
/// <c>:getIamPolicy</c>/<c>:setIamPolicy</c>, and <c>/v2/{operation}</c> for long-running operations.
/// </summary>
public sealed class CloudRunClient(CloudRunTransport transport, string project, string region) : ICloudRunClient
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

    public async Task<IReadOnlyList<RunService>> ListServicesAsync(CancellationToken cancellationToken)
    {
        var services = new List<RunService>();
        string? next = null;
        do
        {
            var page = await transport.SendAsync<ServicePage>(HttpMethod.Get, $"/v2/{Parent}/services?pageSize=100{Token(next)}", null, cancellationToken).ConfigureAwait(false);
            services.AddRange(page?.Services ?? []);
            next = page?.NextPageToken;
        }
        while (!string.IsNullOrEmpty(next));
        return services;
    }

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

    public async Task<IReadOnlyList<Revision>> ListRevisionsAsync(string service, CancellationToken cancellationToken)
    {
        var revisions = new List<Revision>();
        string? next = null;
        do
        {
            var page = await transport.SendAsync<RevisionPage>(HttpMethod.Get, $"{Path(service)}/revisions?pageSize=100{Token(next)}", null, cancellationToken).ConfigureAwait(false);
            revisions.AddRange(page?.Revisions ?? []);
            next = page?.NextPageToken;
        }
        while (!string.IsNullOrEmpty(next));
        return revisions;
    }

    public async Task<Operation> GetOperationAsync(string name, CancellationToken cancellationToken) =>
        await transport.SendAsync<Operation>(HttpMethod.Get, $"/v2/{name}", null, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException($"cloud run answered nothing for operation {name}");

    public async Task<Policy> GetIamPolicyAsync(string service, CancellationToken cancellationToken) =>
        await transport.SendAsync<Policy>(HttpMethod.Get, $"{Path(service)}:getIamPolicy", null, cancellationToken).ConfigureAwait(false) ?? new Policy();

    public async Task<Policy> SetIamPolicyAsync(string service, Policy policy, CancellationToken cancellationToken) =>
        await transport.SendAsync<Policy>(HttpMethod.Post, $"{Path(service)}:setIamPolicy", new { policy }, cancellationToken).ConfigureAwait(false) ?? policy;

    private string Path(string service) => $"/v2/{Parent}/services/{Uri.EscapeDataString(service)}";

    private static string Token(string? next) => next is null ? "" : $"&pageToken={Uri.EscapeDataString(next)}";

    private sealed record ServicePage(List<RunService>? Services, string? NextPageToken);

    private sealed record RevisionPage(List<Revision>? Revisions, string? NextPageToken);
}
