using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Cli;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// One test's world on one real engine: a fresh data directory whose platform.yaml points
/// <c>local</c> at that engine, a unique project name, an app directory to write paas.yaml into,
/// and the CLI run in-process. Disposing removes every container, network and volume the project made.
/// </summary>
public sealed class EngineWorld : IAsyncDisposable
{
    private EngineWorld(string engine, DockerClient client, string? project, string environment)
    {
        Engine = engine;
        Client = client;
        Kind = Engines.Endpoint(engine).Kind;
        Project = project ?? $"t{Guid.NewGuid():N}"[..12];
        Environment = environment;
        Root = Directory.CreateTempSubdirectory("paas-it-").FullName;
        DataDirectory = Directory.CreateDirectory(Path.Combine(Root, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName; // the platform refuses a data directory others can enter
        AppDirectory = Directory.CreateDirectory(Path.Combine(Root, "app")).FullName;
        File.WriteAllText(Path.Combine(DataDirectory, PlatformConfig.FileName),
            $"allowFileUrls: true\ntargets:\n  local: {{ kind: {engine}, socket: {Engines.Endpoint(engine).SocketPath} }}\n");
    }

    public string Engine { get; }

    public EngineKind Kind { get; }

    public DockerClient Client { get; }

    public string Project { get; }

    /// <summary>The environment the manifest declares and <see cref="Apply"/> and <see cref="Plan"/> use.</summary>
    public string Environment { get; }

    public string Root { get; }

    public string DataDirectory { get; }

    public string AppDirectory { get; }

    /// <summary>The local busybox image under the name this engine resolves.</summary>
    public string Busybox => LocalBaseImage.Name(Kind);

    /// <summary>A world with a unique project (or <paramref name="project"/>, when a test needs names of its choosing).</summary>
    /// <remarks><paramref name="engine"/> <c>swarm</c> is this machine's Docker as a single-node swarm (<see cref="TestSwarm"/>).</remarks>
    public static async Task<EngineWorld> CreateAsync(string engine, string? project = null, string environment = "dev") =>
        new(engine, engine == "swarm" ? await TestSwarm.ConnectAsync() : await Engines.ConnectAsync(engine), project, environment);

    /// <summary>Writes paas.yaml: the project line and a production environment are added here.</summary>
    public void WriteManifest(string services) =>
        File.WriteAllText(Path.Combine(AppDirectory, "paas.yaml"), $"version: 1\nproject: {Project}\nenvironments:\n  {Environment}: {{ branch: main }}\n{services}");

    /// <summary>
    /// A service answering HTTP on 8080 (busybox httpd serving /etc, healthy on /hostname).
    /// <paramref name="extra"/> lines are indented with four spaces.
    /// </summary>
    public string WebService(string name, string extra = "", int replicas = 1, string health = "/hostname") => $$"""
          {{name}}:
            image: {{Busybox}}
            command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
            port: 8080
            replicas: {{replicas}}
            health: { path: {{health}}, interval: 1s, timeout: 1s, retries: 3 }
            deploy: { drain: 1s }

        """ + extra;

    public CliRun Paas(params string[] args) => PaasWithInput("", args);

    /// <summary>Runs the CLI with <paramref name="input"/> as its standard input.</summary>
    public CliRun PaasWithInput(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        // Before a "--": what follows it is a command's own (paas exec).
        var dashes = Array.IndexOf(args, "--") is var at and >= 0 ? at : args.Length;
        var code = PaasCli.Run([.. args[..dashes], "--data-dir", DataDirectory, .. args[dashes..]], CliConsole.Plain(output, error), reader);
        return JsonOutputCheck.Checked(args, new CliRun(code, output.ToString(), error.ToString()));
    }

    public CliRun Apply() => Paas("apply", AppDirectory, "--env", Environment, "--yes");

    public CliRun Plan() => Paas("plan", AppDirectory, "--env", Environment);

    /// <summary>The project's containers, by name → (id, running).</summary>
    public async Task<Dictionary<string, (string Id, bool Running, string Service)>> ContainersAsync()
    {
        var list = await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={Project}"] = true } },
        });
        return list.ToDictionary(c => c.Names.First().TrimStart('/'), c => (c.ID, c.State == "running", c.Labels.TryGetValue(Labels.Service, out var service) ? service : ""));
    }

    /// <summary>
    /// Tags of the images built for this world's project (<c>localhost/paas-PROJECT-…</c>), asked with
    /// a reference filter: listing every image takes Podman tens of seconds once its store holds a
    /// few hundred build layers.
    /// </summary>
    public async Task<List<string>> BuiltImagesAsync()
    {
        var images = await Client.Images.ListImagesAsync(new ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [$"{Names.BuiltImagePrefix}{Project}-*"] = true } },
        });
        return images.SelectMany(i => i.RepoTags ?? []).Where(t => t.StartsWith($"{Names.BuiltImagePrefix}{Project}-", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Runs a command in a container and returns its exit code.</summary>
    public async Task<long> ExecAsync(string container, params string[] command) => (await ExecOutputAsync(container, command)).ExitCode;

    /// <summary>Runs a command in a container: its exit code and what it wrote (stdout, then stderr).</summary>
    public async Task<(long ExitCode, string Output)> ExecOutputAsync(string container, params string[] command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ExecOnceAsync(container, command);
            }
            catch (DockerApiException e) when (attempt < 3 && (e.ResponseBody ?? "").Contains("no such exec session", StringComparison.Ordinal))
            {
                // Podman under load sometimes forgets an ended exec session before its exit code is read: run it again.
            }
        }
    }

    private async Task<(long ExitCode, string Output)> ExecOnceAsync(string container, string[] command)
    {
        var exec = await Client.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters { Cmd = command, AttachStdout = true, AttachStderr = true });
        string output;
        using (var stream = await Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), CancellationToken.None))
        {
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
            output = stdout + stderr;
        }

        try
        {
            return ((await Client.Exec.InspectContainerExecAsync(exec.ID)).ExitCode ?? -1, output);
        }
        catch (DockerContainerNotFoundException)
        {
            return (-1, output); // the command stopped its own container (killall of the main process): Podman drops the exec session with it
        }
    }

    public async ValueTask DisposeAsync()
    {
        await EngineCleanup.RemoveProjectAsync(Client, Project);
        Client.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
