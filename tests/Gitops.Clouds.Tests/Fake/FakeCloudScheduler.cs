using System.Globalization;
using System.Text.Json.Nodes;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// FAKE Cloud Scheduler API v1 (served by <see cref="FakeCloudRun"/> beside the Cloud Run tree), built
/// from the REST reference of <c>projects.locations.jobs</c>: create (the body names the job;
/// ALREADY_EXISTS when taken), get, list, patch of the members its <c>updateMask</c> names, delete
/// (an empty answer), <c>:pause</c> and <c>:resume</c>. Checked as Cloud Scheduler checks them: the name's shape, a schedule of five
/// fields, a time zone from the tz database, an http target's URI and method. New jobs are ENABLED.
/// It fires nothing on its own: <see cref="FireAsync"/> sends a job's request as a due run would.
/// </summary>
internal sealed partial class FakeCloudScheduler(string project, string region) : FakeJobTable(project, region)
{
    private static readonly string[] Writable = ["description", "schedule", "timeZone", "httpTarget", "retryConfig", "attemptDeadline"];

    public (int Status, JsonNode? Body) Create(JsonObject body)
    {
        lock (Gate)
        {
            var name = (string?)body["name"] ?? "";
            var id = name.StartsWith($"{Parent}/jobs/", StringComparison.Ordinal) ? name[($"{Parent}/jobs/".Length)..] : "";
            if (!JobIds().IsMatch(id))
            {
                return FakeCloudRunServices.Error(400, "INVALID_ARGUMENT", $"Job name '{name}' must be {Parent}/jobs/ID, ID of 1 to 500 letters, digits, '-' or '_'.");
            }

            if (Jobs.ContainsKey(id))
            {
                return FakeCloudRunServices.Error(409, "ALREADY_EXISTS", $"Job {name} already exists.");
            }

            var job = new JsonObject { ["name"] = name };
            foreach (var field in Writable)
            {
                job[field] = body[field]?.DeepClone();
            }

            if (Problem(job) is { } problem)
            {
                return FakeCloudRunServices.Error(400, "INVALID_ARGUMENT", problem);
            }

            job["state"] = "ENABLED";
            job["userUpdateTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            Jobs[id] = job;
            return (200, job.DeepClone());
        }
    }

    /// <summary>Only the members <c>updateMask</c> names change (all writable ones without a mask).</summary>
    public (int Status, JsonNode? Body) Patch(string id, string? mask, JsonObject body)
    {
        lock (Gate)
        {
            if (!Jobs.TryGetValue(id, out var job))
            {
                return NotFound(id);
            }

            var fields = string.IsNullOrEmpty(mask) ? Writable : mask.Split(',');
            if (fields.FirstOrDefault(f => !Writable.Contains(f)) is { } unknown)
            {
                return FakeCloudRunServices.Error(400, "INVALID_ARGUMENT", $"updateMask names '{unknown}', which is not a field a client may update.");
            }

            var changed = (JsonObject)job.DeepClone();
            foreach (var field in fields)
            {
                changed[field] = body[field]?.DeepClone();
            }

            if (Problem(changed) is { } problem)
            {
                return FakeCloudRunServices.Error(400, "INVALID_ARGUMENT", problem);
            }

            changed["userUpdateTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            Jobs[id] = changed;
            return (200, changed.DeepClone());
        }
    }

    /// <summary><c>:pause</c> and <c>:resume</c>: the job's state, the job answered.</summary>
    public (int Status, JsonNode? Body) SetState(string id, string state)
    {
        lock (Gate)
        {
            if (!Jobs.TryGetValue(id, out var job))
            {
                return NotFound(id);
            }

            job["state"] = state;
            return (200, job.DeepClone());
        }
    }

    public (int Status, JsonNode? Body) Delete(string id)
    {
        lock (Gate)
        {
            return Jobs.Remove(id) ? (200, new JsonObject()) : NotFound(id);
        }
    }

    /// <summary>What Cloud Scheduler does when a run is due: its request to the target, with a token (here the console's).</summary>
    public async Task<int> FireAsync(string id, string token, CancellationToken cancellationToken)
    {
        var job = Peek(id) ?? throw new InvalidOperationException($"no Cloud Scheduler job {id}");
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod((string)job["httpTarget"]!["httpMethod"]!), (string)job["httpTarget"]!["uri"]!);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, cancellationToken);
        return (int)response.StatusCode;
    }

    /// <summary>What Cloud Scheduler refuses in a job: the schedule, the time zone, the target.</summary>
    private static string? Problem(JsonObject job)
    {
        var schedule = (string?)job["schedule"] ?? "";
        if (schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            return $"Schedule or time zone is invalid: '{schedule}' is not a unix-cron schedule of five fields.";
        }

        if ((string?)job["timeZone"] is { } zone && !(TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) && found.HasIanaId))
        {
            return $"Schedule or time zone is invalid: '{zone}' is not a tz database time zone.";
        }

        if (job["httpTarget"] is not JsonObject target || !Uri.TryCreate((string?)target["uri"], UriKind.Absolute, out _))
        {
            return "Job must have a target: an httpTarget with an absolute uri.";
        }

        return (string?)target["httpMethod"] is "POST" or "GET" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" ? null : "httpTarget.httpMethod is not an HTTP method.";
    }

    protected override (int Status, JsonNode? Body) NotFound(string id) => FakeCloudRunServices.Error(404, "NOT_FOUND", $"Job not found: {id}.");

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_-]{1,500}$")]
    private static partial System.Text.RegularExpressions.Regex JobIds();
}
