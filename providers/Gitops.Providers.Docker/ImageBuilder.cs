using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gitops.Providers.Docker;

/// <summary>Builds an image from a context tar and streams the build log to the caller.</summary>
public static class ImageBuilder
{
    /// <summary>Whether the engine has the image (by name or id).</summary>
    public static async Task<bool> ExistsAsync(DockerClient client, string image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    public static async Task BuildAsync(
        DockerClient client,
        Stream context,
        string tag,
        IProgress<string> log,
        CancellationToken cancellationToken,
        string dockerfile = "Dockerfile",
        IDictionary<string, string>? buildArgs = null,
        string? target = null,
        IDictionary<string, string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(log);
        string? error = null;
        var progress = new Gitops.Engine.Execution.InlineProgress<JSONMessage>(message =>
        {
            if (message.Error is { } failure)
            {
                error = failure.Message;
            }

            if (!string.IsNullOrWhiteSpace(message.Stream))
            {
                log.Report(message.Stream.TrimEnd('\n'));
            }
        });
        var parameters = new ImageBuildParameters
        {
            Tags = [tag],
            Dockerfile = dockerfile,
            Remove = true,
            ForceRemove = true,
            BuildArgs = buildArgs ?? new Dictionary<string, string>(),
            Target = target ?? "",
            Labels = labels ?? new Dictionary<string, string>(),
        };
        await client.Images.BuildImageFromDockerfileAsync(parameters, context, null, null, progress, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException($"building {tag} failed: {error}");
        }
    }
}
