using System.Net;
using System.Net.Sockets;

namespace Gitops.IntegrationTests;

internal static class FreePort
{
    // Below Linux's ephemeral range (32768–60999), so neither an outgoing connection nor an engine
    // publishing a port on "0" takes one of ours between the probe and the test's own bind.
    private const int First = 20000;
    private const int Last = 32000;

    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    /// <summary>
    /// A port nobody listens on right now and that this process has not handed out before: a
    /// receiver a test stops and starts again keeps its port to itself while it is closed.
    /// </summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (!Given.Contains(port) && Bindable(port))
                {
                    Given.Add(port);
                    return port;
                }
            }

            throw new InvalidOperationException($"no free port between {First} and {Last}");
        }
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Any, port);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
