using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// FAKE Cloud Run Admin API v2 jobs (<see cref="FakeCloudRun"/>), built from the REST reference of
/// <c>projects.locations.jobs</c>: create with <c>?jobId=</c> (ALREADY_EXISTS when taken), get, list,
/// patch (etag checked when given: ABORTED), delete, each write answered with a long-running
/// operation done the second time it is read; <c>:run</c> records an execution. It runs nothing.
/// </summary>
internal sealed partial class FakeCloudRunJobs(string project, string region) : FakeJobTable(project, region)
{
    private static readonly string[] OutputOnly = ["name", "uid", "etag", "generation", "createTime", "updateTime", "terminalCondition", "executionCount", "latestCreatedExecution", "reconciling"];

    private readonly Dictionary<string, int> _operations = new(StringComparer.Ordinal);
    private readonly List<string> _executions = [];

    /// <summary>The jobs <c>:run</c> was called for, in order (what Cloud Scheduler's request starts).</summary>
    public IReadOnlyList<string> Executions
    {
        get
        {
            lock (Gate)
            {
                return [.. _executions];
            }
        }
    }

    public (int Status, JsonNode? Body) Create(string id, JsonObject body)
    {
        lock (Gate)
        {
            if (!JobIds().IsMatch(id))
            {
                return FakeCloudRunServices.Error(400, "INVALID_ARGUMENT", $"job id '{id}' must be 1 to 63 lowercase letters, digits and '-', starting with a letter and not ending with '-'");
            }

            if (Jobs.ContainsKey(id))
            {
                return FakeCloudRunServices.Error(409, "ALREADY_EXISTS", $"Resource '{id}' already exists.");
            }

            var job = Writable(body);
            job["name"] = $"{Parent}/jobs/{id}";
            job["createTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            job["generation"] = "1";
            job["etag"] = NewEtag();
            Jobs[id] = job;
            return (200, Operation());
        }
    }

    /// <summary>A PATCH replaces what a client may write; the etag in the body, when given, must be the current one.</summary>
    public (int Status, JsonNode? Body) Patch(string id, JsonObject body)
    {
        lock (Gate)
        {
            if (!Jobs.TryGetValue(id, out var job))
            {
                return NotFound(id);
            }

            if ((string?)body["etag"] is { } etag && etag != (string?)job["etag"])
            {
                return FakeCloudRunServices.Error(409, "ABORTED", $"The job '{id}' was modified (etag {etag} is not the current one); read it again and retry.");
            }

            foreach (var (field, value) in Writable(body))
            {
                job[field] = value?.DeepClone();
            }

            job["generation"] = (long.Parse((string)job["generation"]!, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            job["etag"] = NewEtag();
            return (200, Operation());
        }
    }

    public (int Status, JsonNode? Body) Delete(string id)
    {
        lock (Gate)
        {
            return Jobs.Remove(id) ? (200, Operation()) : NotFound(id);
        }
    }

    /// <summary><c>POST …/jobs/J:run</c>: an execution's operation.</summary>
    public (int Status, JsonNode? Body) Run(string id)
    {
        lock (Gate)
        {
            if (!Jobs.ContainsKey(id))
            {
                return NotFound(id);
            }

            _executions.Add(id);
            return (200, Operation());
        }
    }

    /// <summary>A job operation, done the second time it is read; null when the name is not one of the jobs'.</summary>
    public (int Status, JsonNode? Body)? Operation(string name)
    {
        lock (Gate)
        {
            if (!_operations.TryGetValue(name, out var reads))
            {
                return null;
            }

            _operations[name] = ++reads;
            return (200, new JsonObject { ["name"] = name, ["done"] = reads >= 2 });
        }
    }

    private JsonObject Operation()
    {
        var name = $"{Parent}/operations/{Guid.NewGuid():N}";
        _operations[name] = 0;
        return new JsonObject { ["name"] = name, ["done"] = false };
    }

    private static JsonObject Writable(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        foreach (var field in OutputOnly)
        {
            copy.Remove(field);
        }

        return copy;
    }

    private static string NewEtag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(9));

    protected override (int Status, JsonNode? Body) NotFound(string id) => FakeCloudRunServices.Error(404, "NOT_FOUND", $"Resource '{id}' of kind 'JOB' was not found.");

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex JobIds();
}
