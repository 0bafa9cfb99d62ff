using Gitops.Schema.Validation;

namespace Gitops.Schema.Tests;

/// <summary>A project runs only images named from a registry: never one only this machine has.</summary>
public sealed class ImageReferencePolicyTests
{
    [Theory]
    [InlineData("busybox:1.36")]
    [InlineData("docker.io/library/busybox:1.36")]
    [InlineData("registry.example.com/team/app:1.2")]
    [InlineData("localhost:5000/team/app:1")]
    [InlineData("ghcr.io/paas-tools/cli:1")]
    [InlineData("docker.io/library/paas-tools:1")]
    [InlineData("cafe:latest")]
    [InlineData("postgres")]
    [InlineData("team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Registry_images_are_allowed(string reference) => Assert.Null(ImageReferencePolicy.Refusal(reference));

    [Theory]
    [InlineData("localhost/paas-shop-web-0123456789abcdef:0123456789abcdef", "names a local image")]
    [InlineData("LOCALHOST/app:1", "names a local image")]
    [InlineData("localhost/anything", "names a local image")]
    [InlineData("paas-shop-web-0123456789abcdef:0123456789abcdef", "the platform's own builds")]
    [InlineData("paas/x", "the platform's own builds")]
    [InlineData("paas", "the platform's own builds")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "is an image id")]
    [InlineData("0123456789ab", "image id prefix")]
    [InlineData("cafe", "image id prefix")]
    [InlineData("", "not an image reference")]
    public void Local_only_images_are_refused_saying_why(string reference, string reason) =>
        Assert.Contains(reason, ImageReferencePolicy.Refusal(reference), StringComparison.Ordinal);
}
