using Gitops.Schema.Import;

namespace Gitops.Schema.Tests.Import;

public sealed class ComposeValueTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("10us", 1)]
    [InlineData("0", 0)]
    public void Go_durations_are_read_to_the_millisecond(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ComposeUnits.Duration(text)!.Value.Value);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("1d")]
    [InlineData("soon")]
    public void Other_durations_are_refused(string text) => Assert.Null(ComposeUnits.Duration(text));

    [Theory]
    [InlineData("512m", 512L * 1024 * 1024)]
    [InlineData("512M", 512L * 1024 * 1024)]
    [InlineData("1gb", 1024L * 1024 * 1024)]
    [InlineData("1.5G", 1536L * 1024 * 1024)]
    [InlineData("1048576", 1024L * 1024)]
    public void Docker_memory_sizes_are_binary(string text, long bytes) => Assert.Equal(bytes, ComposeUnits.Bytes(text)!.Value.Bytes);

    [Theory]
    [InlineData("${A:-x}-${B-y}", "x-y", "", 2)]
    [InlineData("${A:-${B:-inner}}", "inner", "", 2)]
    [InlineData("$A/${B}", "/", "A,B", 0)]
    [InlineData("$$HOME", "$HOME", "", 0)]
    [InlineData("${A:?must be set}", "", "A", 0)]
    public void Interpolation_substitutes_defaults_and_reports_unset_variables(string text, string value, string unset, int defaulted)
    {
        var result = ComposeInterpolation.Apply(text);

        Assert.Null(result.Error);
        Assert.Equal(value, result.Value);
        Assert.Equal(unset, string.Join(",", result.Unset));
        Assert.Equal(defaulted, result.Defaulted.Count);
    }

    [Theory]
    [InlineData("cost: $5")]
    [InlineData("${A")]
    [InlineData("${A%b}")]
    public void Invalid_interpolation_is_an_error(string text) => Assert.NotNull(ComposeInterpolation.Apply(text).Error);

    [Theory]
    [InlineData("My_Service", "s", "my-service")]
    [InlineData("db.primary", "s", "db-primary")]
    [InlineData("1st", "s", "s-1st")]
    [InlineData("___", "s", null)]
    public void Names_become_dns_labels(string name, string prefix, string? expected) => Assert.Equal(expected, ComposeNames.Normalize(name, prefix));
}
