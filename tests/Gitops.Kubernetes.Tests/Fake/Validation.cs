using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>The checks of the real API server a driver can trip over, with its field paths and words.</summary>
internal static partial class Validation
{
    private const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string Dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();

    public static void Check(ResourceType type, JsonObject value, JsonObject? old)
    {
        var errors = new List<FieldError>();
        var name = value.Name();
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name"));
        }
        else
        {
            errors.AddRange(NameErrors(type.Kind, name, "metadata.name"));
        }

        switch (type.Kind)
        {
            case "Deployment" or "ReplicaSet":
                Workload(value, old, errors);
                break;
            case "Pod":
                PodSpec(value.Object("spec"), "spec", errors);
                break;
            case "Job":
                PodSpec(value.Object("spec", "template", "spec"), "spec.template.spec", errors);
                break;
            case "CronJob":
                if (string.IsNullOrEmpty(value.String("spec", "schedule")))
                {
                    errors.Add(FieldError.Required("spec.schedule"));
                }

                PodSpec(value.Object("spec", "jobTemplate", "spec", "template", "spec"), "spec.jobTemplate.spec.template.spec", errors);
                break;
        }

        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(type, name, errors);
        }
    }

    /// <summary>Namespaces and Services take a label, everything else a subdomain, as the real server requires.</summary>
    public static IEnumerable<FieldError> NameErrors(string kind, string name, string field)
    {
        var (valid, limit, message) = kind switch
        {
            "Namespace" => (Label().IsMatch(name), 63, LabelMessage),
            "Service" => (Dns1035().IsMatch(name), 63, Dns1035Message),
            _ => (Subdomain().IsMatch(name), 253, SubdomainMessage),
        };
        if (name.Length > limit)
        {
            yield return FieldError.Invalid(field, name, $"must be no more than {limit} characters");
        }

        if (!valid)
        {
            yield return FieldError.Invalid(field, name, message);
        }
    }

    private static void Workload(JsonObject value, JsonObject? old, List<FieldError> errors)
    {
        var selector = value.Object("spec", "selector");
        var labels = value.Labels("spec", "template", "metadata");
        if (selector is null || selector.Count == 0)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else if (!SelectorMatches(selector, labels))
        {
            errors.Add(new FieldError(
                "FieldValueInvalid",
                "spec.template.metadata.labels",
                $"Invalid value: map[string]string{{{string.Join(", ", labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":\"{p.Value}\""))}}}: `selector` does not match template `labels`"));
        }

        if (old is not null && !Json.Same(old.Object("spec", "selector"), selector))
        {
            errors.Add(new FieldError("FieldValueInvalid", "spec.selector", $"Invalid value: {selector?.ToJsonString()}: field is immutable"));
        }

        if (value.Long("spec", "replicas") is < 0)
        {
            errors.Add(new FieldError("FieldValueInvalid", "spec.replicas", $"Invalid value: {value.Long("spec", "replicas")}: must be greater than or equal to 0"));
        }

        PodSpec(value.Object("spec", "template", "spec"), "spec.template.spec", errors);
    }

    private static void PodSpec(JsonObject? spec, string field, List<FieldError> errors)
    {
        var containers = spec.Array("containers");
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required($"{field}.containers"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (container, index) in containers.Objects().Select((c, i) => (c, i)))
        {
            var at = $"{field}.containers[{index}]";
            var name = container.String("name");
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (!Label().IsMatch(name) || name.Length > 63)
            {
                errors.Add(FieldError.Invalid($"{at}.name", name, LabelMessage));
            }
            else if (!seen.Add(name))
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"{at}.name", $"Duplicate value: \"{name}\""));
            }

            if (string.IsNullOrEmpty(container.String("image")))
            {
                errors.Add(FieldError.Required($"{at}.image"));
            }
        }
    }

    /// <summary>Whether a metav1.LabelSelector (matchLabels and matchExpressions) selects these labels.</summary>
    public static bool SelectorMatches(JsonObject selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in selector.Object("matchLabels") ?? [])
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value?.ToString())
            {
                return false;
            }
        }

        foreach (var expression in selector.Array("matchExpressions").Objects())
        {
            var key = expression.String("key") ?? "";
            var values = expression.Array("values")?.Select(v => v?.ToString()).ToHashSet(StringComparer.Ordinal) ?? [];
            var has = labels.TryGetValue(key, out var actual);
            var ok = expression.String("operator") switch
            {
                "In" => has && values.Contains(actual),
                "NotIn" => !has || !values.Contains(actual),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
