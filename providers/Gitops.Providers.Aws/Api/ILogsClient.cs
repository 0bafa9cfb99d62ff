using System.Text.Json.Nodes;

namespace Gitops.Providers.Aws.Api;

/// <summary>The CloudWatch Logs calls, shaped like <c>Amazon.CloudWatchLogs.IAmazonCloudWatchLogs</c>.</summary>
public interface ILogsClient
{
    /// <summary>The group's tags, or null when it does not exist.</summary>
    Task<IReadOnlyDictionary<string, string>?> DescribeLogGroupTagsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the group with its retention; one already there is success.</summary>
    Task CreateLogGroupAsync(string name, IReadOnlyDictionary<string, string> tags, int retentionDays, CancellationToken cancellationToken);

    Task DeleteLogGroupAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Over the JSON 1.1 protocol (<c>Logs_20140328.&lt;Action&gt;</c>, camelCase members).</summary>
public sealed class LogsClient(AwsTransport transport) : ILogsClient
{
    private const string Service = "logs";
    private const string Target = "Logs_20140328";

    public async Task<IReadOnlyDictionary<string, string>?> DescribeLogGroupTagsAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("DescribeLogGroups", new JsonObject { ["logGroupNamePrefix"] = name }, cancellationToken).ConfigureAwait(false);
        if (!(answer["logGroups"] as JsonArray ?? []).Any(g => (string?)g?["logGroupName"] == name))
        {
            return null;
        }

        var tags = await CallAsync("ListTagsLogGroup", new JsonObject { ["logGroupName"] = name }, cancellationToken).ConfigureAwait(false);
        return (tags["tags"] as JsonObject ?? []).ToDictionary(t => t.Key, t => (string?)t.Value ?? "", StringComparer.Ordinal);
    }

    public async Task CreateLogGroupAsync(string name, IReadOnlyDictionary<string, string> tags, int retentionDays, CancellationToken cancellationToken)
    {
        var tagObject = new JsonObject();
        foreach (var (key, value) in tags)
        {
            tagObject[key] = value;
        }

        try
        {
            await CallAsync("CreateLogGroup", new JsonObject { ["logGroupName"] = name, ["tags"] = tagObject }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ResourceAlreadyExistsException")
        {
            // Already there: the caller checked it is this environment's.
        }

        await CallAsync("PutRetentionPolicy", new JsonObject { ["logGroupName"] = name, ["retentionInDays"] = retentionDays }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteLogGroupAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("DeleteLogGroup", new JsonObject { ["logGroupName"] = name }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ResourceNotFoundException")
        {
            // Already gone.
        }
    }

    private Task<JsonObject> CallAsync(string action, JsonObject body, CancellationToken cancellationToken) =>
        transport.JsonAsync(Service, Target, action, body, cancellationToken);
}
