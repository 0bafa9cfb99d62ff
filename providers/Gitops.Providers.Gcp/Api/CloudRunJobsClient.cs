using System.Net;

namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// A cron's calls (<see cref="ICloudRunJobsClient"/>): <c>/v2/projects/P/locations/R/jobs…</c> of the
/// Admin API, and <c>/v1/projects/P/locations/R/jobs…</c> of Cloud Scheduler at its own base URL.
/// </summary>
public sealed partial class CloudRunClient
{
    /// <summary>What the platform sets on a Cloud Scheduler job; a PATCH names them so nothing else changes.</summary>
    private const string ScheduleMask = "description,schedule,timeZone,httpTarget,retryConfig";

    public async Task<RunJob?> GetJobAsync(string job, CancellationToken cancellationToken)
    {
        try
        {
            return await transport.SendAsync<RunJob>(HttpMethod.Get, JobPath(job), null, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<RunJob>> ListJobsAsync(CancellationToken cancellationToken) =>
        AllPagesAsync<JobPage, RunJob>($"/v2/{Parent}/jobs", p => (p.Jobs, p.NextPageToken), cancellationToken);

    public async Task<Operation> CreateJobAsync(string job, RunJob body, CancellationToken cancellationToken) =>
        await transport.SendAsync<Operation>(HttpMethod.Post, $"/v2/{Parent}/jobs?jobId={Uri.EscapeDataString(job)}", body, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException("cloud run answered a job create without an operation");

    public async Task<Operation> UpdateJobAsync(string job, RunJob body, CancellationToken cancellationToken) =>
        await transport.SendAsync<Operation>(HttpMethod.Patch, JobPath(job), body, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException("cloud run answered a job patch without an operation");

    public async Task<Operation?> DeleteJobAsync(string job, CancellationToken cancellationToken)
    {
        try
        {
            return await transport.SendAsync<Operation>(HttpMethod.Delete, JobPath(job), null, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public string RunUri(string job) => new Uri(run, $"v2/{Parent}/jobs/{Uri.EscapeDataString(job)}:run").ToString();

    public string ScheduleName(string job) => $"{Parent}/jobs/{job}";

    public async Task<SchedulerJob?> GetScheduleAsync(string job, CancellationToken cancellationToken)
    {
        try
        {
            return await transport.SendAsync<SchedulerJob>(HttpMethod.Get, SchedulePath(job), null, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<SchedulerJob> CreateScheduleAsync(SchedulerJob body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        return await transport.SendAsync<SchedulerJob>(HttpMethod.Post, new Uri(scheduler, $"v1/{Parent}/jobs").ToString(), body, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException("cloud scheduler answered a create without the job");
    }

    public async Task<SchedulerJob> UpdateScheduleAsync(SchedulerJob body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var job = body.Name![(body.Name!.LastIndexOf('/') + 1)..];
        return await transport.SendAsync<SchedulerJob>(HttpMethod.Patch, $"{SchedulePath(job)}?updateMask={Uri.EscapeDataString(ScheduleMask)}", body, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException("cloud scheduler answered a patch without the job");
    }

    public Task ResumeScheduleAsync(string job, CancellationToken cancellationToken) =>
        transport.SendAsync<SchedulerJob>(HttpMethod.Post, $"{SchedulePath(job)}:resume", new { }, cancellationToken);

    public async Task<bool> DeleteScheduleAsync(string job, CancellationToken cancellationToken)
    {
        try
        {
            await transport.SendAsync<object>(HttpMethod.Delete, SchedulePath(job), null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (GoogleApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private string JobPath(string job) => $"/v2/{Parent}/jobs/{Uri.EscapeDataString(job)}";

    private string SchedulePath(string job) => new Uri(scheduler, $"v1/{Parent}/jobs/{Uri.EscapeDataString(job)}").ToString();

    private sealed record JobPage(List<RunJob>? Jobs, string? NextPageToken);
}
