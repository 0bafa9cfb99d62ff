using System.Net;
using Docker.DotNet.Models;

namespace Gitops.IntegrationTests;

/// <summary>
/// The host's address on an engine's bridge network. Docker does not always report it: a fresh
/// machine's default <c>bridge</c> showed <c>"Config":[{"Subnet":"172.17.0.0/16"}]</c> and no
/// Gateway, while docker0 still held 172.17.0.1. So the reported gateway is used when there is
/// one, else the subnet's first address (which is where Docker puts the gateway).
/// </summary>
public static class BridgeGateway
{
    public static string Of(IEnumerable<IPAMConfig>? configs)
    {
        var ipv4 = (configs ?? []).Where(c => c.Subnet is { Length: > 0 } subnet && !subnet.Contains(':', StringComparison.Ordinal)).ToList();
        if (ipv4.FirstOrDefault(c => !string.IsNullOrEmpty(c.Gateway)) is { } reported)
        {
            return reported.Gateway;
        }

        var config = ipv4.FirstOrDefault() ?? throw new InvalidOperationException("the network has no IPv4 subnet, so no gateway");
        var first = System.Net.IPNetwork.Parse(config.Subnet).BaseAddress.GetAddressBytes();
        first[^1]++;
        return new IPAddress(first).ToString();
    }
}

public sealed class BridgeGatewayTests
{
    [Fact]
    public void The_gateway_is_the_subnets_first_address_when_the_engine_reports_none() =>
        Assert.Equal("172.17.0.1", BridgeGateway.Of([new IPAMConfig { Subnet = "172.17.0.0/16" }]));

    [Fact]
    public void A_reported_gateway_is_used() =>
        Assert.Equal("10.1.2.254", BridgeGateway.Of([new IPAMConfig { Subnet = "fd00::/64", Gateway = "fd00::1" }, new IPAMConfig { Subnet = "10.1.2.0/24", Gateway = "10.1.2.254" }]));
}
