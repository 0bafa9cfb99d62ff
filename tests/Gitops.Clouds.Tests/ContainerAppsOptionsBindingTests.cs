using Gitops.Engine.Targets;
using Gitops.Providers.Azure;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A containerapps target's options in platform.yaml: bound into <see cref="ContainerAppsOptions"/>, and
/// each mistake refused with its file:line:column and what to write instead, before anything is called.
/// </summary>
public sealed class ContainerAppsOptionsBindingTests
{
    private static readonly ProviderRegistry Providers = new([ContainerAppsProvider.Instance], []);

    private const string Valid = """
        targets:
          azure:
            kind: containerapps
            subscription: 6d2f0a3c-1111-4000-8000-00000000ab5c
            resourceGroup: shop-prod
            environment: shop-env
            location: westeurope

        """;

    [Fact]
    public void A_complete_containerapps_target_binds_every_option()
    {
        const string Identity = "/subscriptions/6d2f0a3c-1111-4000-8000-00000000ab5c/resourceGroups/shop-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop-vault-reader";
        var config = PlatformConfig.Parse(Valid + $"    keyVaultIdentity: {Identity}\n    endpoint: https://127.0.0.1:8443\n    authority: https://127.0.0.1:8443\n    rolloutTimeoutSeconds: 600\n    poll: 500ms\n    builderSocket: /run/docker.sock\n", "platform.yaml", Providers);

        var options = Assert.IsType<ContainerAppsOptions>(config.Targets["azure"].Options);
        Assert.Equal(("6d2f0a3c-1111-4000-8000-00000000ab5c", "shop-prod", "shop-env", "westeurope", Identity), (options.Subscription, options.ResourceGroup, options.Environment, options.Location, options.KeyVaultIdentity));
        Assert.Equal((new Uri("https://127.0.0.1:8443"), "https://127.0.0.1:8443", 600, TimeSpan.FromMilliseconds(500), "/run/docker.sock"), (options.BaseUri, options.Authority, options.RolloutTimeoutSeconds, options.Poll.Value, options.BuilderSocket));
        Assert.Equal("/subscriptions/6d2f0a3c-1111-4000-8000-00000000ab5c/resourceGroups/shop-prod/providers/Microsoft.App/managedEnvironments/shop-env", options.EnvironmentId);
    }

    [Fact]
    public void Without_an_endpoint_the_target_speaks_to_azure_resource_manager_with_app_identities_and_polls_every_three_seconds()
    {
        var options = Assert.IsType<ContainerAppsOptions>(PlatformConfig.Parse(Valid, "platform.yaml", Providers).Targets["azure"].Options);

        Assert.Equal((new Uri("https://management.azure.com"), null, 900, TimeSpan.FromSeconds(3), "system"), (options.BaseUri, options.Authority, options.RolloutTimeoutSeconds, options.Poll.Value, options.KeyVaultIdentity));
    }

    [Fact]
    public void An_environment_given_as_a_resource_id_is_used_as_it_is()
    {
        const string Id = "/subscriptions/00000000-2222-4000-8000-000000000000/resourceGroups/shared/providers/Microsoft.App/managedEnvironments/shared-env";
        var options = Assert.IsType<ContainerAppsOptions>(PlatformConfig.Parse(Valid.Replace("environment: shop-env", $"environment: {Id}", StringComparison.Ordinal), "platform.yaml", Providers).Targets["azure"].Options);

        Assert.Equal(Id, options.EnvironmentId);
    }

    [Theory]
    [InlineData("    subscription: 6d2f0a3c-1111-4000-8000-00000000ab5c\n", "", "platform.yaml:3:5", "a containerapps target needs subscription:")]
    [InlineData("    resourceGroup: shop-prod\n", "", "platform.yaml:3:5", "a containerapps target needs resourceGroup:")]
    [InlineData("    environment: shop-env\n", "", "platform.yaml:3:5", "a containerapps target needs environment:")]
    [InlineData("    location: westeurope\n", "", "platform.yaml:3:5", "a containerapps target needs location:")]
    [InlineData("    subscription: 6d2f0a3c-1111-4000-8000-00000000ab5c\n", "    subscription: my-subscription\n", "platform.yaml:4:19", "'my-subscription' is not a subscription id")]
    [InlineData("    location: westeurope\n", "    location: West Europe\n", "platform.yaml:4:15", "'West Europe' is not an Azure region name")]
    [InlineData("    resourceGroup: shop-prod\n", "    resourceGroup: shop/prod\n", "platform.yaml:4:20", "'shop/prod' is not a resource group name")]
    [InlineData("    resourceGroup: shop-prod\n", "    resourceGrup: shop-prod\n", "platform.yaml:4:5", "unknown key 'resourceGrup'")]
    [InlineData("    environment: shop-env\n", "    environment: /subscriptions/x/resourceGroups/y/providers/Microsoft.Web/sites/z\n", "platform.yaml:4:18", "is not a managed environment's resource id")]
    [InlineData("", "    endpoint: ftp://127.0.0.1:8443\n", "platform.yaml:8:15", "is not an http(s) URL")]
    [InlineData("", "    authority: http://127.0.0.1:8443\n", "platform.yaml:8:16", "is not an https URL")]
    [InlineData("", "    keyVaultIdentity: reader\n", "platform.yaml:8:23", "give system or a user-assigned identity's resource id")]
    [InlineData("", "    poll: soon\n", "platform.yaml:8:11", "'soon' is not a duration")]
    [InlineData("", "    rolloutTimeoutSeconds: 2\n", "platform.yaml:8:28", "2 is outside 10 to 86400 seconds")]
    [InlineData("", "    rolloutTimeoutSeconds: forever\n", "platform.yaml:8:28", "expected a whole number")]
    public void A_wrong_or_missing_containerapps_option_is_refused_with_its_line_and_column(string remove, string add, string place, string message)
    {
        // A removed option leaves the others in place; an added one goes after kind: (line 4), or last (line 8) when nothing is removed.
        var text = remove.Length == 0
            ? Valid + add
            : Valid.Replace(remove, "", StringComparison.Ordinal).Replace("    kind: containerapps\n", "    kind: containerapps\n" + add, StringComparison.Ordinal);

        var refused = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse(text, "platform.yaml", Providers));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Contains(place, refused.Message, StringComparison.Ordinal);
    }
}
