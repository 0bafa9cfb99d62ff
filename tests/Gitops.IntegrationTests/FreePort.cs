using System.Net;
using System.Net.Sockets;

namespace Gitops.IntegrationTests;

internal static class FreePort
{
    /// <summary>A loopback port nobody listens on right now, for a server a test starts.</summary>
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
