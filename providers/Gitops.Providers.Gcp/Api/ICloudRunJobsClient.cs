namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// The calls a cron needs: Cloud Run jobs (Admin API v2, like <c>Google.Cloud.Run.V2</c>'s JobsClient)
/// and Cloud Scheduler jobs (v1, like <c>Google.Cloud.Scheduler.V1</c>'s CloudSchedulerClient). Not
/// found is null; names are short ids within the target's project and region.
/// </summary>
public interface ICloudRunJobsClient
{
    Task<RunJob?> GetJobAsync(string job, CancellationToken cancellationToken);

    /// <summary>Every Cloud Run job of the project and region (all pages).</summary>
    Task<IReadOnlyList<RunJob>> ListJobsAsync(CancellationToken cancellationToken);

    /// <summary>POST …/jobs?jobId=: the operation; a job of that name answers ALREADY_EXISTS.</summary>
    Task<Operation> CreateJobAsync(string job, RunJob body, CancellationToken cancellationToken);

    /// <summary>PATCH …/jobs/J with the body's etag: an older etag answers ABORTED.</summary>
    Task<Operation> UpdateJobAsync(string job, RunJob body, CancellationToken cancellationToken);

    /// <summary>DELETE …/jobs/J: the operation, or null when it was already gone.</summary>
    Task<Operation?> DeleteJobAsync(string job, CancellationToken cancellationToken);

    /// <summary><c>https://run.googleapis.com/v2/projects/P/locations/R/jobs/J:run</c>: what Cloud Scheduler calls.</summary>
    string RunUri(string job);

    Task<SchedulerJob?> GetScheduleAsync(string job, CancellationToken cancellationToken);

    Task<SchedulerJob> CreateScheduleAsync(SchedulerJob body, CancellationToken cancellationToken);

    /// <summary>PATCH with an updateMask of the members the platform sets (the rest stays as it is).</summary>
    Task<SchedulerJob> UpdateScheduleAsync(SchedulerJob body, CancellationToken cancellationToken);

    /// <summary>POST …/jobs/J:resume: a paused job runs on its schedule again.</summary>
    Task ResumeScheduleAsync(string job, CancellationToken cancellationToken);

    /// <summary>DELETE: false when it was already gone.</summary>
    Task<bool> DeleteScheduleAsync(string job, CancellationToken cancellationToken);

    /// <summary><c>projects/P/locations/R/jobs/J</c>: a Cloud Scheduler job's full name.</summary>
    string ScheduleName(string job);
}
