using Gitops.Schema.Model;

namespace Gitops.Schema.Tests;

public sealed class ScalarValueTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    public void Durations_parse_to_milliseconds_and_print_back(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var duration, out _));
        Assert.Equal(milliseconds, (long)duration.Value.TotalMilliseconds);
        Assert.True(Duration.TryParse(duration.ToString(), out var again, out _));
        Assert.Equal(duration, again);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("5 s")]
    [InlineData("1.5h")]
    [InlineData("-3s")]
    [InlineData("")]
    public void Durations_without_a_unit_or_with_junk_are_refused(string text)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Contains("30s", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("256Mi", 268_435_456L)]
    [InlineData("1Gi", 1_073_741_824L)]
    [InlineData("0.5Gi", 536_870_912L)]
    [InlineData("500M", 500_000_000L)]
    [InlineData("1048576", 1_048_576L)]
    public void Memory_sizes_parse_to_bytes(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var size, out _));
        Assert.Equal(bytes, size.Bytes);
        Assert.True(ByteSize.TryParse(size.ToString(), out var again, out _));
        Assert.Equal(size, again);
    }

    [Theory]
    [InlineData("512mb")]
    [InlineData("1 Gi")]
    [InlineData("lots")]
    public void Memory_sizes_in_other_notations_are_refused(string text) =>
        Assert.False(ByteSize.TryParse(text, out _, out _));

    [Theory]
    [InlineData("0.5", 500)]
    [InlineData("2", 2000)]
    [InlineData("250m", 250)]
    [InlineData("0.125", 125)]
    public void Cpu_parses_to_millicores(string text, int millicores)
    {
        Assert.True(CpuQuantity.TryParse(text, out var cpu, out _));
        Assert.Equal(millicores, cpu.Millicores);
        Assert.True(CpuQuantity.TryParse(cpu.ToString(), out var again, out _));
        Assert.Equal(cpu, again);
    }

    [Theory]
    [InlineData("1.5m")]
    [InlineData("half")]
    [InlineData("0.0001")]
    public void Cpu_in_other_notations_is_refused(string text) =>
        Assert.False(CpuQuantity.TryParse(text, out _, out _));
}
