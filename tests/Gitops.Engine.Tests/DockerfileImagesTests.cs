using Gitops.Engine.Sources;

namespace Gitops.Engine.Tests;

/// <summary>Every image a Dockerfile uses is checked before a build: FROM of every stage, COPY --from, RUN --mount from, after ARG substitution.</summary>
public sealed class DockerfileImagesTests
{
    private const string Stolen = "localhost/paas-other-web-0123456789abcdef:0123456789abcdef";

    [Fact]
    public void Registry_bases_stages_and_scratch_are_fine()
    {
        const string dockerfile = """
            # syntax and comments are skipped
            ARG BASE=busybox:1.36
            FROM ${BASE} AS Build
            RUN echo hi
            FROM scratch
            COPY --from=build /bin/busybox /bin/busybox
            COPY --from=0 /etc/passwd /etc/passwd
            FROM build
            RUN --mount=type=bind,from=build,target=/x true
            """;

        Assert.Empty(Refusals(dockerfile));
    }

    [Fact]
    public void Another_projects_image_in_any_stages_FROM_is_refused_naming_the_line()
    {
        var refusals = Refusals($"FROM busybox:1.36 AS a\nRUN true\n\nFROM --platform=linux/amd64 {Stolen} AS b\n");

        var refusal = Assert.Single(refusals);
        Assert.StartsWith($"ctx/Dockerfile:4: FROM {Stolen}: ", refusal, StringComparison.Ordinal);
        Assert.Contains("names a local image", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("COPY --from={0} /secret /secret", "COPY --from")]
    [InlineData("COPY --chown=1:1 --from={0} /secret /secret", "COPY --from")]
    [InlineData("RUN --mount=type=bind,from={0},target=/x cat /x/secret", "RUN --mount from")]
    public void Another_projects_image_in_copy_or_mount_is_refused(string line, string what)
    {
        var refusal = Assert.Single(Refusals("FROM busybox:1.36\n" + string.Format(System.Globalization.CultureInfo.InvariantCulture, line, Stolen)));

        Assert.StartsWith($"ctx/Dockerfile:2: {what} {Stolen}", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_args_and_ARG_defaults_are_substituted_before_the_check()
    {
        var viaArg = Refusals("ARG BASE=busybox:1.36\nFROM $BASE\n", ("BASE", Stolen));
        var viaDefault = Refusals($"ARG BASE={Stolen}\nFROM ${{BASE}}\n");
        var viaFallback = Refusals($"ARG BASE\nFROM ${{BASE:-{Stolen}}}\n");
        var fineByArg = Refusals($"ARG BASE={Stolen}\nFROM $BASE\n", ("BASE", "busybox:1.36"));

        Assert.Contains($"ctx/Dockerfile:2: FROM $BASE (= {Stolen})", Assert.Single(viaArg), StringComparison.Ordinal);
        Assert.Single(viaDefault);
        Assert.Single(viaFallback);
        Assert.Empty(fineByArg);
    }

    [Fact]
    public void A_stage_sees_a_global_ARG_only_when_it_declares_it_again()
    {
        var redeclared = Refusals($"ARG SRC={Stolen}\nFROM busybox:1.36\nARG SRC\nCOPY --from=$SRC /a /a\n");
        var undeclared = Refusals($"ARG SRC={Stolen}\nFROM busybox:1.36\nCOPY --from=$SRC /a /a\n");

        Assert.Contains("(= " + Stolen + ")", Assert.Single(redeclared), StringComparison.Ordinal);
        Assert.Contains("ARG SRC has no value", Assert.Single(undeclared), StringComparison.Ordinal);
    }

    [Fact]
    public void Continuation_lines_and_lowercase_instructions_are_read_like_Docker_reads_them()
    {
        var refusals = Refusals($"from busybox:1.36\nrun true && \\\n  # a comment inside\n  true\ncopy \\\n  --from={Stolen} \\\n  /a /a\n");

        Assert.StartsWith("ctx/Dockerfile:5: COPY --from", Assert.Single(refusals), StringComparison.Ordinal);
    }

    [Fact]
    public void The_escape_directive_changes_the_continuation_character()
    {
        var refusals = Refusals($"# escape=`\nFROM busybox:1.36\nCOPY `\n  --from={Stolen} /a /a\n");

        Assert.StartsWith("ctx/Dockerfile:3: COPY --from", Assert.Single(refusals), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM $NOPE\n", "ARG NOPE has no value")]
    [InlineData("ARG A=x\nFROM ${A/x/y}\n", "does not resolve")]
    [InlineData("FROM \"busybox:1.36\"\n", "quotes and escapes")]
    [InlineData("FROM sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", "image id")]
    [InlineData("FROM paas-other-web-0123456789abcdef:1\n", "platform's own builds")]
    public void References_that_cannot_be_known_or_name_local_images_are_refused(string dockerfile, string reason)
    {
        Assert.Contains(reason, Assert.Single(Refusals(dockerfile)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_stage_name_is_not_a_stage_yet()
    {
        // Docker resolves a name that is not an earlier stage as an image.
        Assert.Single(Refusals("FROM busybox:1.36\nCOPY --from=paas /a /a\nFROM busybox:1.36 AS paas\n"));
    }

    private static IReadOnlyList<string> Refusals(string dockerfile, params (string Key, string Value)[] args) =>
        DockerfileImages.Refusals("ctx/Dockerfile", dockerfile, args.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));
}
