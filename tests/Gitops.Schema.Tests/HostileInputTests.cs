using System.Diagnostics;
using System.Text;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Loading;

namespace Gitops.Schema.Tests;

/// <summary>
/// Input an attacker would commit to a watched repository. Each must fail with its code, fast:
/// the bound is generous (5 s) so a loaded CI machine stays green; the real cost is milliseconds.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public void Billion_laughs_alias_expansion_is_refused()
    {
        var yaml = new StringBuilder("version: 1\nproject: shop\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= 9; i++)
        {
            yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        AssertRefused(yaml.ToString(), ErrorCodes.YamlAliasLimit);
    }

    [Fact]
    public void Ten_thousand_deep_nesting_is_refused()
    {
        var yaml = "version: 1\nproject: shop\nservices: " + new string('[', 10_000) + new string(']', 10_000) + "\n";
        AssertRefused(yaml, ErrorCodes.YamlTooDeep);
    }

    [Fact]
    public void Deep_block_mappings_are_refused()
    {
        var yaml = new StringBuilder("version: 1\n");
        for (var i = 0; i < 200; i++)
        {
            yaml.Append(new string(' ', i)).Append($"k{i}:\n");
        }

        AssertRefused(yaml.ToString(), ErrorCodes.YamlTooDeep);
    }

    /// <summary>
    /// The test holds the file open exclusively: .NET on Linux takes an advisory lock (flock) on
    /// every open, so a loader that opened the file to read it would fail with a sharing violation.
    /// Only the size (stat, no open) may be looked at. The test first proves the lock is enforced
    /// here, so it cannot pass because locking is off.
    /// </summary>
    [Fact]
    public void Five_mebibyte_file_is_refused_before_it_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"paas-big-{Guid.NewGuid():N}.yaml");
        try
        {
            using (var file = File.Create(path))
            {
                file.Write("version: 1\nproject: shop\n# "u8);
                file.Write(Enumerable.Repeat((byte)'x', 5 * 1024 * 1024).ToArray());
            }

            using var held = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            Assert.Throws<IOException>(() => File.ReadAllBytes(path)); // a read would be noticed

            var result = ManifestLoader.LoadPath(path);

            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCodes.FileTooLarge, error.Code);
            Assert.Contains("manifests are limited to", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Five_mebibyte_text_is_refused()
    {
        AssertRefused("version: 1\nproject: shop\n# " + new string('x', 5 * 1024 * 1024), ErrorCodes.FileTooLarge);
    }

    [Fact]
    public void Duplicate_keys_are_all_refused()
    {
        var result = AssertRefused("version: 1\nproject: shop\nproject: evil\nversion: 1\n", ErrorCodes.YamlDuplicateKey);
        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void Python_object_tag_is_refused()
    {
        AssertRefused("version: 1\nproject: !!python/object/apply:os.system ['id']\n", ErrorCodes.YamlTag);
    }

    [Fact]
    public void Local_custom_tag_is_refused()
    {
        AssertRefused("version: 1\nproject: !shell shop\n", ErrorCodes.YamlTag);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("/etc")]
    [InlineData("web/../../secrets")]
    [InlineData("~/.ssh")]
    [InlineData("..\\\\windows")]
    public void Build_context_escaping_the_repository_is_refused(string context)
    {
        AssertRefused($"version: 1\nproject: shop\nservices:\n  web:\n    build: {{ context: '{context}' }}\n", ErrorCodes.PathEscape);
    }

    [Fact]
    public void Dockerfile_escaping_the_repository_is_refused()
    {
        AssertRefused("version: 1\nproject: shop\nservices:\n  web:\n    build: { context: web, dockerfile: ../../../etc/passwd }\n", ErrorCodes.PathEscape);
    }

    [Fact]
    public void Many_aliases_of_a_small_anchor_stay_allowed()
    {
        var result = ManifestLoader.LoadText(
            "version: 1\nproject: shop\nservices:\n  web: &svc { image: busybox:1.36 }\n  api: *svc\n  worker:\n    <<: *svc\n    replicas: 2\n",
            "paas.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(result.Manifest!.Services["web"].Image, result.Manifest.Services["worker"].Image);
        Assert.Equal(2, result.Manifest.Services["worker"].Replicas);
    }

    private static ManifestLoadResult AssertRefused(string yaml, string code)
    {
        var watch = Stopwatch.StartNew();
        var result = ManifestLoader.LoadText(yaml, "paas.yaml");
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Code == code);
        return result;
    }
}
