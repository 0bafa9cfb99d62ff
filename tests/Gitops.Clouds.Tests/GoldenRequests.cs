using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A story step's writes to a cloud API against its golden file (<c>Golden/CLOUD/NAME.json</c>); with
/// PAAS_UPDATE_GOLDEN=1 (the repository's convention) the file is written instead, to review as a diff.
/// </summary>
internal static class GoldenRequests
{
    /// <summary>Golden files people read: quotes and &lt; as they are.</summary>
    public static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Adds to <paramref name="failures"/> what differs, with the requests as they are now.</summary>
    public static void Check(string cloud, string name, IEnumerable<JsonNode> writes, List<string> failures, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var text = JsonSerializer.Serialize(new JsonArray([.. writes]), options ?? Readable) + "\n";
        var path = Path.Combine(RepositoryRoot.Path, "tests", "Gitops.Clouds.Tests", "Golden", cloud, name + ".json");
        if (Environment.GetEnvironmentVariable("PAAS_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run with PAAS_UPDATE_GOLDEN=1 and review it");
        if (File.ReadAllText(path) != text)
        {
            failures.Add($"{name}: the requests differ from {path}:\n{text}");
        }
    }
}
