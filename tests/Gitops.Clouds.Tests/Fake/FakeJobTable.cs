using System.Text.Json.Nodes;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// What the FAKE Cloud Run jobs and FAKE Cloud Scheduler keep alike: jobs by id under one lock, read
/// whole (<c>get</c>), listed in id order as <c>{"jobs": […]}</c>, and peeked at by the tests. Each API's
/// own writes, checks and error wording stay in its class.
/// </summary>
internal abstract class FakeJobTable(string project, string region)
{
    protected Lock Gate { get; } = new();

    protected Dictionary<string, JsonObject> Jobs { get; } = new(StringComparer.Ordinal);

    public string Parent { get; } = $"projects/{project}/locations/{region}";

    public (int Status, JsonNode? Body) Get(string id)
    {
        lock (Gate)
        {
            return Jobs.TryGetValue(id, out var job) ? (200, job.DeepClone()) : NotFound(id);
        }
    }

    public JsonObject List()
    {
        lock (Gate)
        {
            return new JsonObject { ["jobs"] = new JsonArray([.. Jobs.OrderBy(j => j.Key, StringComparer.Ordinal).Select(j => (JsonNode)j.Value.DeepClone())]) };
        }
    }

    /// <summary>The stored job (for the tests' own checks), or null.</summary>
    public JsonObject? Peek(string id)
    {
        lock (Gate)
        {
            return Jobs.TryGetValue(id, out var job) ? (JsonObject)job.DeepClone() : null;
        }
    }

    public IReadOnlyList<string> Ids()
    {
        lock (Gate)
        {
            return [.. Jobs.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The API's own 404 for a job of that id.</summary>
    protected abstract (int Status, JsonNode? Body) NotFound(string id);
}
