using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gitops.Engine.Targets;

/// <summary>
/// What a cloud REST API's error answer says, read the same way for every cloud: its
/// <c>{"error": {…}}</c> object (Google's and Azure's shape) and how long <c>Retry-After</c> asks to wait.
/// </summary>
public static class CloudErrorAnswer
{
    /// <summary>The answer's <c>error</c> object; null when the body is not one (a proxy's HTML page is reported by its status).</summary>
    public static JsonObject? ErrorOf(string text)
    {
        try
        {
            return (JsonNode.Parse(text) as JsonObject)?["error"] as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The wait <c>Retry-After</c> asks for, as seconds or as a date; null without one.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;
    }
}
