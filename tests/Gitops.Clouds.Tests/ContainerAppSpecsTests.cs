using System.Text.Json;
using Gitops.Providers.Azure;
using Gitops.Providers.Azure.Api;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>How a service's scaling and resources become a container app's: autoscale's rules, and the smallest CPU/memory pair Container Apps allows.</summary>
public sealed class ContainerAppSpecsTests
{
    private const string Web = "  web:\n    image: paasfake.azurecr.io/shop/web:1\n    port: 8080\n    public: true\n";

    [Fact]
    public void Autoscale_becomes_bounds_with_an_http_rule_for_rps_and_utilization_rules_for_cpu_and_memory()
    {
        var desired = ConformanceHarness.Desired("shop", Web + "    autoscale: { min: 1, max: 7, rps: 40, cpu: 65, memory: 80 }\n").Service("web")!;

        var scale = ContainerAppSpecs.ScaleOf(desired);

        Assert.Equal((1, 7), (scale.MinReplicas, scale.MaxReplicas));
        Assert.Equal(
            """[{"name":"http","http":{"metadata":{"concurrentRequests":"40"}}},{"name":"cpu","custom":{"type":"cpu","metadata":{"type":"Utilization","value":"65"}}},{"name":"memory","custom":{"type":"memory","metadata":{"type":"Utilization","value":"80"}}}]""",
            JsonSerializer.Serialize(scale.Rules, ArmTransport.Json));
    }

    [Fact]
    public void A_fixed_replica_count_is_both_bounds_without_rules()
    {
        var scale = ContainerAppSpecs.ScaleOf(ConformanceHarness.Desired("shop", Web + "    replicas: 3\n").Service("web")!);

        Assert.Equal((3, 3, null), (scale.MinReplicas, scale.MaxReplicas, scale.Rules));
    }

    [Theory]
    [InlineData(0, 0L, 0.25, "0.5Gi")]
    [InlineData(250, 512L * 1024 * 1024, 0.25, "0.5Gi")]
    [InlineData(600, 64L * 1024 * 1024, 0.75, "1.5Gi")]
    [InlineData(250, 3L * 1024 * 1024 * 1024, 1.5, "3Gi")]
    [InlineData(4000, 8L * 1024 * 1024 * 1024, 4.0, "8Gi")]
    public void Resources_take_the_smallest_pair_container_apps_allows_that_holds_them(int millicores, long bytes, double cpu, string memory)
    {
        Assert.Equal(new AppResources(cpu, memory), ContainerAppSpecs.ResourcesFor(millicores, bytes));
    }

    [Fact]
    public void More_than_the_consumption_plans_largest_pair_has_no_size()
    {
        Assert.Null(ContainerAppSpecs.ResourcesFor(4001, 1024));
        Assert.Null(ContainerAppSpecs.ResourcesFor(250, (8L * 1024 * 1024 * 1024) + 1));
    }
}
