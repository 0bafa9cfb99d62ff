using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>A request the fake refuses; the handler answers it as a metav1.Status.</summary>
public sealed class FakeApiException : Exception
{
    public FakeApiException()
    {
    }

    public FakeApiException(string message)
        : base(message)
    {
    }

    public FakeApiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    internal FakeApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; } = 500;

    public string Reason { get; } = "InternalError";

    internal JsonObject? Details { get; }

    internal JsonObject ToStatus() => ApiErrors.Status(Code, Reason, Message, (JsonObject?)Details?.DeepClone());
}

/// <summary>One field error of a 422 Invalid answer (field.Error in the real server).</summary>
internal sealed record FieldError(string Reason, string Field, string Message)
{
    public static FieldError Required(string field) => new("FieldValueRequired", field, "Required value");

    public static FieldError Invalid(string field, string value, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: \"{value}\": {detail}");

    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>The metav1.Status errors the real API server answers, with its messages.</summary>
internal static class ApiErrors
{
    public static JsonObject Status(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Success(ResourceType type, string name, string uid) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = Details(name, type.Group, type.Plural, uid),
    };

    public static FakeApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedResource} \"{name}\" not found", Details(name, type.Group, type.Plural));

    public static FakeApiException NamespaceNotFound(string ns) =>
        new(404, "NotFound", $"namespaces \"{ns}\" not found", Details(ns, "", "namespaces"));

    public static FakeApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedResource} \"{name}\" already exists", Details(name, type.Group, type.Plural));

    public static FakeApiException Conflict(ResourceType type, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", Details(name, type.Group, type.Plural));

    public static FakeApiException Forbidden(ResourceType type, string name, string why) =>
        new(403, "Forbidden", $"{type.QualifiedResource} \"{name}\" is forbidden: {why}", Details(name, type.Group, type.Plural));

    public static FakeApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static FakeApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static FakeApiException PageNotFound() => new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static FakeApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static FakeApiException Expired(string message) => new(410, "Expired", message);

    public static FakeApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var details = Details(name, type.Group, type.Kind);
        details["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject { ["reason"] = e.Reason, ["message"] = e.Message, ["field"] = e.Field })]);
        var list = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        return new(422, "Invalid", $"{type.QualifiedKind} \"{name}\" is invalid: {list}", details);
    }

    /// <summary>Server-side apply conflicts: one cause per field, the message as structured-merge-diff words it.</summary>
    public static FakeApiException ApplyConflict(IReadOnlyList<(string Manager, string Path)> conflicts)
    {
        var causes = new JsonArray([.. conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = $"conflict with {c.Manager}",
            ["field"] = c.Path,
        })]);
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Manager}: {conflicts[0].Path}";
        }
        else
        {
            var lines = conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => g.Select(c => $"- {c.Path}").Prepend($"conflicts with {g.Key}:"));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }

        return new(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }

    private static JsonObject Details(string name, string group, string kind, string? uid = null)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return details;
    }
}
