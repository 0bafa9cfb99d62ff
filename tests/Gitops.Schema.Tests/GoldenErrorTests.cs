using System.Text.RegularExpressions;
using Gitops.Schema.Loading;

namespace Gitops.Schema.Tests;

/// <summary>
/// Each file under Invalid/ is a broken manifest ending with its expected errors as
/// <c># expect: LINE:COLUMN CODE</c> lines; the loader must report exactly those, in that order.
/// Add a case by adding a file.
/// </summary>
public sealed partial class GoldenErrorTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Invalid");

    public static TheoryData<string> Files() =>
        new(Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void Invalid_manifest_reports_exact_place_and_code(string file)
    {
        var path = Path.Combine(Folder, file);
        var expected = File.ReadLines(path)
            .Select(line => Expectation().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.NotEmpty(expected);

        var result = ManifestLoader.LoadPath(path);

        Assert.False(result.IsValid);
        Assert.Equal(expected, result.Errors.Select(e => $"{e.Location.Line}:{e.Location.Column} {e.Code}"));
        Assert.All(result.Errors, e =>
        {
            Assert.Equal(path, e.Location.File);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        });
    }

    [Fact]
    public void Golden_set_covers_at_least_25_broken_manifests_and_every_error_class()
    {
        var codes = Directory.GetFiles(Folder, "*.yaml")
            .SelectMany(File.ReadLines)
            .Select(line => Expectation().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Split(' ')[1])
            .ToHashSet();

        Assert.True(Directory.GetFiles(Folder, "*.yaml").Length >= 25);
        string[] classes =
        [
            "E-MANIFEST-UNKNOWN-KEY", "E-MANIFEST-TYPE", "E-MANIFEST-REQUIRED", "E-MANIFEST-VERSION", "E-MANIFEST-NAME",
            "E-MANIFEST-UNKNOWN-REF", "E-MANIFEST-CYCLE", "E-MANIFEST-CRON", "E-MANIFEST-PORT", "E-MANIFEST-SOURCE",
            "E-MANIFEST-ENV-KEY", "E-MANIFEST-PATH-ESCAPE", "E-MANIFEST-NOTIFY-EVENT", "E-MANIFEST-ENUM",
            "E-MANIFEST-DURATION", "E-MANIFEST-QUANTITY", "E-YAML-SYNTAX", "E-YAML-DUPLICATE-KEY", "E-YAML-TAG",
        ];
        Assert.Empty(classes.Except(codes));
    }

    [GeneratedRegex(@"^# expect: (\d+:\d+ [A-Z-]+)\s*$")]
    private static partial Regex Expectation();
}
