using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>The hello sample builds on each real engine and its container answers HTTP.</summary>
public sealed class EngineSmokeTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Hello_sample_builds_and_serves_its_page(string engine)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = await Engines.ConnectAsync(engine);
        var tag = $"localhost/paas-smoke/hello:{Guid.NewGuid():N}";
        var log = new List<string>();
        using (var context = BuildContext.FromDirectory(Path.Combine(RepositoryRoot.Path, "samples", "hello")))
        {
            await ImageBuilder.BuildAsync(client, context, tag, new SynchronousLog(log), cancellationToken);
        }

        string? containerId = null;
        try
        {
            containerId = (await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = tag,
                Labels = new Dictionary<string, string> { ["paas.test"] = "smoke" },
            }, cancellationToken)).ID;
            await client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);
            var address = await AddressAsync(client, containerId, cancellationToken);

            var (status, body) = await GetAsync($"http://{address}:8080/", cancellationToken);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("Hello from paas", body, StringComparison.Ordinal);
            Assert.Contains(log, line => line.Contains("COPY www /www", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            if (containerId is not null)
            {
                await client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            }

            await client.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true }, CancellationToken.None);
        }
    }

    /// <summary>The container's address on its network: the platform reaches replicas there, not through published ports.</summary>
    private static async Task<string> AddressAsync(DockerClient client, string containerId, CancellationToken cancellationToken)
    {
        var inspect = await client.Containers.InspectContainerAsync(containerId, cancellationToken);
        var address = inspect.NetworkSettings?.Networks?.Values.Select(n => n.IPAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a));
        Assert.False(string.IsNullOrEmpty(address), "the container has no network address");
        return address!;
    }

    /// <summary>GETs the URL, retrying while the server starts (up to 30 s).</summary>
    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}

internal sealed class SynchronousLog(List<string> lines) : IProgress<string>
{
    public void Report(string value)
    {
        lock (lines)
        {
            lines.Add(value);
        }
    }
}
