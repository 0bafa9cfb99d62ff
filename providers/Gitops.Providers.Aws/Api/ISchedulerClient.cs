using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gitops.Providers.Aws.Api;

/// <summary>
/// The EventBridge Scheduler calls the driver makes, shaped like <c>Amazon.Scheduler.IAmazonScheduler</c>.
/// Not-found answers are null or success, as the driver treats "gone" as done.
/// </summary>
public interface ISchedulerClient
{
    /// <summary>The group's tags, or null when there is no such group.</summary>
    Task<IReadOnlyList<Tag>?> GetScheduleGroupTagsAsync(string group, CancellationToken cancellationToken);

    Task CreateScheduleGroupAsync(string group, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Deletes the group and, with it, its schedules; already gone is success.</summary>
    Task DeleteScheduleGroupAsync(string group, CancellationToken cancellationToken);

    Task<Schedule?> GetScheduleAsync(string group, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ScheduleSummary>> ListSchedulesAsync(string group, CancellationToken cancellationToken);

    Task CreateScheduleAsync(Schedule schedule, CancellationToken cancellationToken);

    /// <summary>Replaces the whole schedule (UpdateSchedule sets every field it is given, and resets the rest).</summary>
    Task UpdateScheduleAsync(Schedule schedule, CancellationToken cancellationToken);

    Task DeleteScheduleAsync(string group, string name, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="ISchedulerClient"/> over EventBridge Scheduler's REST-JSON API
/// (https://docs.aws.amazon.com/scheduler/latest/APIReference/): <c>/schedule-groups/NAME</c>,
/// <c>/schedules/NAME?groupName=GROUP</c>, <c>/tags/ARN</c>, PascalCase members; signed for service <c>scheduler</c>.
/// </summary>
public sealed class SchedulerClient(AwsTransport transport) : ISchedulerClient
{
    private const string Service = "scheduler";

    internal static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    public async Task<IReadOnlyList<Tag>?> GetScheduleGroupTagsAsync(string group, CancellationToken cancellationToken)
    {
        JsonObject found;
        try
        {
            found = await transport.RestJsonAsync(Service, HttpMethod.Get, $"/schedule-groups/{Uri.EscapeDataString(group)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ResourceNotFoundException")
        {
            return null;
        }

        var arn = (string?)found["Arn"] ?? "";
        var tags = await transport.RestJsonAsync(Service, HttpMethod.Get, $"/tags/{Uri.EscapeDataString(arn)}", null, cancellationToken).ConfigureAwait(false);
        return (tags["Tags"] as JsonArray ?? []).Select(t => new Tag((string?)t?["Key"] ?? "", (string?)t?["Value"] ?? "")).ToList();
    }

    public async Task CreateScheduleGroupAsync(string group, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["Name"] = group,
            ["Tags"] = new JsonArray(tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray()),
        };
        try
        {
            await transport.RestJsonAsync(Service, HttpMethod.Post, $"/schedule-groups/{Uri.EscapeDataString(group)}", body, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ConflictException")
        {
            // Made by a retried call: the caller checked it is this environment's.
        }
    }

    public async Task DeleteScheduleGroupAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            await transport.RestJsonAsync(Service, HttpMethod.Delete, $"/schedule-groups/{Uri.EscapeDataString(group)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ResourceNotFoundException")
        {
            // Already gone.
        }
    }

    public async Task<Schedule?> GetScheduleAsync(string group, string name, CancellationToken cancellationToken)
    {
        try
        {
            var found = await transport.RestJsonAsync(Service, HttpMethod.Get, $"/schedules/{Uri.EscapeDataString(name)}?groupName={Uri.EscapeDataString(group)}", null, cancellationToken).ConfigureAwait(false);
            return found.Deserialize<Schedule>(Json);
        }
        catch (AwsApiException e) when (e.Code == "ResourceNotFoundException")
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ScheduleSummary>> ListSchedulesAsync(string group, CancellationToken cancellationToken)
    {
        var found = new List<ScheduleSummary>();
        string? next = null;
        do
        {
            var query = $"/schedules?ScheduleGroup={Uri.EscapeDataString(group)}{(next is null ? "" : $"&NextToken={Uri.EscapeDataString(next)}")}";
            var answer = await transport.RestJsonAsync(Service, HttpMethod.Get, query, null, cancellationToken).ConfigureAwait(false);
            found.AddRange((answer["Schedules"] as JsonArray ?? []).Select(s => new ScheduleSummary((string?)s?["Name"] ?? "", (string?)s?["GroupName"], (string?)s?["State"]))
                .Where(s => s.GroupName == group)); // the filter, checked: nothing of another group is ever touched
            next = (string?)answer["NextToken"];
        }
        while (!string.IsNullOrEmpty(next));

        return found;
    }

    public Task CreateScheduleAsync(Schedule schedule, CancellationToken cancellationToken) =>
        transport.RestJsonAsync(Service, HttpMethod.Post, $"/schedules/{Uri.EscapeDataString(schedule.Name)}", Body(schedule), cancellationToken);

    public Task UpdateScheduleAsync(Schedule schedule, CancellationToken cancellationToken) =>
        transport.RestJsonAsync(Service, HttpMethod.Put, $"/schedules/{Uri.EscapeDataString(schedule.Name)}", Body(schedule), cancellationToken);

    public async Task DeleteScheduleAsync(string group, string name, CancellationToken cancellationToken)
    {
        try
        {
            await transport.RestJsonAsync(Service, HttpMethod.Delete, $"/schedules/{Uri.EscapeDataString(name)}?groupName={Uri.EscapeDataString(group)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ResourceNotFoundException")
        {
            // Already gone.
        }
    }

    /// <summary>The request body: the name is the path's, the rest as the schedule has it.</summary>
    private static JsonObject Body(Schedule schedule)
    {
        var body = (JsonObject)JsonSerializer.SerializeToNode(schedule, Json)!;
        body.Remove("Name");
        body.Remove("Arn");
        return body;
    }
}
