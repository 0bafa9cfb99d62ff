using Gitops.Engine.Desired;

namespace Gitops.Engine.Tests;

/// <summary>An object found under the wanted name is reused only with the caller's exact ownership labels.</summary>
public sealed class OwnershipTests
{
    [Fact]
    public void An_object_with_the_environments_labels_is_reused()
    {
        Assert.Null(Ownership.Refusal("volume", "paas_shop_dev_data", Labels.For("shop", "dev"), "shop", "dev"));
    }

    [Theory]
    [InlineData("shop", "prod")]
    [InlineData("shop-dev", "dev")]
    [InlineData("sho", "dev")]
    public void Another_environments_object_is_refused_naming_it_and_its_owner(string project, string environment)
    {
        var refusal = Ownership.Refusal("volume", "paas-shop-dev-data", Labels.For(project, environment), "shop", "dev");

        Assert.NotNull(refusal);
        Assert.Contains("volume 'paas-shop-dev-data' already exists and is not shop/dev's", refusal, StringComparison.Ordinal);
        Assert.Contains($"paas.project={project}", refusal, StringComparison.Ordinal);
        Assert.Contains($"paas.env={environment}", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unlabelled_or_unmanaged_object_is_refused()
    {
        var unlabelled = Ownership.Refusal("network", "paas_shop_dev", null, "shop", "dev");
        var unmanaged = Ownership.Refusal("network", "paas_shop_dev", new Dictionary<string, string> { [Labels.Project] = "shop", [Labels.Environment] = "dev" }, "shop", "dev");

        Assert.Contains("network 'paas_shop_dev' already exists and is not shop/dev's (it has no paas.* ownership labels)", unlabelled, StringComparison.Ordinal);
        Assert.NotNull(unmanaged);
    }

    [Fact]
    public void A_built_image_is_reused_only_by_its_project_and_service()
    {
        var labels = Ownership.ImageLabels("shop", "web");

        Assert.Null(Ownership.ImageRefusal("localhost/paas-shop-web-x:1", labels, "shop", "web"));
        Assert.Contains("was not built for shop/api", Ownership.ImageRefusal("localhost/paas-shop-web-x:1", labels, "shop", "api"), StringComparison.Ordinal);
        Assert.Contains("was not built for evil/web", Ownership.ImageRefusal("localhost/paas-shop-web-x:1", labels, "evil", "web"), StringComparison.Ordinal);
        Assert.NotNull(Ownership.ImageRefusal("localhost/paas-shop-web-x:1", null, "shop", "web"));
    }

    [Fact]
    public void Owning_needs_every_label_not_just_one()
    {
        // Podman 4.3 lists a volume that carries any one of the filter's labels.
        Assert.True(Ownership.Owns(Labels.For("shop", "dev"), "shop", "dev"));
        Assert.False(Ownership.Owns(Labels.For("other", "dev"), "shop", "dev"));
        Assert.False(Ownership.Owns(Labels.For("shop", "prod"), "shop", "dev"));
        Assert.False(Ownership.Owns(null, "shop", "dev"));
    }
}
