using System.Net;

namespace Gitops.Providers.Azure.Api;

/// <summary>
/// <see cref="IContainerAppsClient"/> over ARM's REST surface for Microsoft.App/containerApps at one
/// pinned api-version (<see cref="ApiVersion"/>): <c>…/containerApps/NAME</c>, its <c>revisions</c>, the
/// resource group's list, <c>Azure-AsyncOperation</c> polling, and the crons' <c>…/jobs/NAME</c> (the same
/// api-version serves Microsoft.App/jobs).
/// </summary>
public sealed class ContainerAppsClient(ArmTransport transport, string resourceGroup) : IContainerAppsClient
{
    public const string ApiVersion = "2024-03-01";

    public string ResourceGroup { get; } = resourceGroup;

    public async Task<(ContainerApp App, string? ETag)?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await transport.SendAsync(HttpMethod.Get, Path(name), null, cancellationToken).ConfigureAwait(false);
            return response.As<ContainerApp>() is { } app ? (app, response.ETag) : null;
        }
        catch (ArmApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ContainerApp>> ListAsync(CancellationToken cancellationToken) =>
        await PagesAsync<ContainerApp>($"{ResourceGroup}/providers/Microsoft.App/containerApps?api-version={ApiVersion}", cancellationToken).ConfigureAwait(false);

    public async Task<(ContainerApp App, string? Operation)> PutAsync(string name, ContainerApp body, string? ifMatch, CancellationToken cancellationToken)
    {
        // A create must not replace an app someone made meanwhile; a replace must be of the app as it was read.
        var precondition = ifMatch is null ? ("If-None-Match", "*") : ("If-Match", ifMatch);
        var response = await transport.SendAsync(HttpMethod.Put, Path(name), body, cancellationToken, precondition).ConfigureAwait(false);
        var app = response.As<ContainerApp>() ?? throw new InvalidDataException($"azure answered a PUT of {name} without the app");
        return (app, response.AsyncOperation ?? (response.Status == 202 ? response.Location : null));
    }

    public Task<string?> DeleteAsync(string name, CancellationToken cancellationToken) => DeleteAtAsync(Path(name), cancellationToken);

    public async Task<(ContainerAppJob Job, string? ETag)?> GetJobAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await transport.SendAsync(HttpMethod.Get, JobPath(name), null, cancellationToken).ConfigureAwait(false);
            return response.As<ContainerAppJob>() is { } job ? (job, response.ETag) : null;
        }
        catch (ArmApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ContainerAppJob>> ListJobsAsync(CancellationToken cancellationToken) =>
        await PagesAsync<ContainerAppJob>($"{ResourceGroup}/providers/Microsoft.App/jobs?api-version={ApiVersion}", cancellationToken).ConfigureAwait(false);

    public async Task<string?> PutJobAsync(string name, ContainerAppJob body, string? ifMatch, CancellationToken cancellationToken)
    {
        var precondition = ifMatch is null ? ("If-None-Match", "*") : ("If-Match", ifMatch);
        var response = await transport.SendAsync(HttpMethod.Put, JobPath(name), body, cancellationToken, precondition).ConfigureAwait(false);
        return response.AsyncOperation ?? (response.Status == 202 ? response.Location : null);
    }

    public Task<string?> DeleteJobAsync(string name, CancellationToken cancellationToken) => DeleteAtAsync(JobPath(name), cancellationToken);

    private async Task<string?> DeleteAtAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var response = await transport.SendAsync(HttpMethod.Delete, path, null, cancellationToken).ConfigureAwait(false);
            return response.Status == 202 ? response.AsyncOperation ?? response.Location : null;
        }
        catch (ArmApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<AppRevision>> ListRevisionsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await PagesAsync<AppRevision>($"{ResourceGroup}/providers/Microsoft.App/containerApps/{Uri.EscapeDataString(name)}/revisions?api-version={ApiVersion}", cancellationToken).ConfigureAwait(false);
        }
        catch (ArmApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    public async Task<AsyncOperation> GetOperationAsync(string url, CancellationToken cancellationToken)
    {
        var response = await transport.SendAsync(HttpMethod.Get, transport.Local(url), null, cancellationToken).ConfigureAwait(false);
        // A Location URL answers 202 while running and the resource (or nothing) when done.
        return response.Status == 202 ? new AsyncOperation("InProgress")
            : response.As<AsyncOperation>() is { Status: not null } operation ? operation
            : new AsyncOperation("Succeeded");
    }

    private string JobPath(string name) => $"{ResourceGroup}/providers/Microsoft.App/jobs/{Uri.EscapeDataString(name)}?api-version={ApiVersion}";

    private string Path(string name) => $"{ResourceGroup}/providers/Microsoft.App/containerApps/{Uri.EscapeDataString(name)}?api-version={ApiVersion}";

    private async Task<List<T>> PagesAsync<T>(string first, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? next = first;
        while (next is not null)
        {
            var page = await transport.SendAsync<Page<T>>(HttpMethod.Get, next, null, cancellationToken).ConfigureAwait(false);
            items.AddRange(page?.Value ?? []);
            next = page?.NextLink is { Length: > 0 } link ? transport.Local(link) : null;
        }

        return items;
    }

    private sealed record Page<T>(List<T>? Value, string? NextLink);
}
