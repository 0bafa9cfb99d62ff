using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gitops.Providers.Aws.Api;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A FAKE of ECS's service scheduler, for moto only: moto stores services but never starts their
/// tasks, so this loop plays the scheduler over one cluster with moto's own RunTask and StopTask.
/// For each ACTIVE service it starts the missing tasks of its task definition (group
/// <c>service:NAME</c>, as ECS groups a service's tasks), then stops the other revision's tasks and
/// any surplus (newest first). A revision whose health check probes a path under <c>/missing</c>
/// (the conformance image answers 404 there) never gets healthy tasks: like ECS's deployment
/// circuit breaker, the fake puts the service back on the revision its tasks ran. Tasks of deleted
/// services stop. The driver under test knows nothing of it: it reads the tasks as it reads ECS's.
/// A pass that fails (but for the cluster not made yet) is kept and shown, with moto's traceback for
/// its HTTP 500s, and fails the test that used the fake (<see cref="ThrowIfFailed"/>): it once hid
/// moto's RunTask failures behind "0 task(s)" timeouts.
/// </summary>
public sealed class FakeEcsScheduler : IAsyncDisposable
{
    private const string Target = "AmazonEC2ContainerServiceV20141113";

    private readonly AwsTransport _aws;
    private readonly string _cluster;
    private readonly JsonObject _network;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, bool> _unhealthy = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Exception> _failures = new();
    private readonly ITestOutputHelper? _output;
    private readonly Moto _moto;
    private readonly Task _loop;

    public FakeEcsScheduler(Moto moto, string cluster, ITestOutputHelper? output = null)
    {
        _output = output;
        _moto = moto;
        _aws = new AwsTransport(new Amazon.Runtime.BasicAWSCredentials("testing", "testing"), Moto.Region, new Uri(moto.Endpoint), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        _cluster = cluster;
        _network = new JsonObject
        {
            ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray(moto.Subnets[0]), ["securityGroups"] = new JsonArray(moto.SecurityGroup) },
        };
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>
    /// What went wrong in the loop's passes, besides the one expected answer (the cluster is made by the
    /// driver's first apply): a failure here is the fake's bug or moto's, and a test that waits on tasks
    /// must say so instead of timing out on "0 task(s)".
    /// </summary>
    public IReadOnlyList<Exception> Failures => [.. _failures];

    /// <summary>Throws the loop's failures, if it had any: a test's outcome is not to be trusted over a fake that broke.</summary>
    public void ThrowIfFailed()
    {
        if (!_failures.IsEmpty)
        {
            throw new InvalidOperationException($"the FAKE ECS scheduler failed {_failures.Count} time(s); first: {_failures.First()}", _failures.First());
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await PassAsync(_stop.Token);
            }
            catch (AwsApiException e) when (e.Code == "ClusterNotFoundException")
            {
                // The driver makes the cluster on its first apply: nothing to schedule yet.
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Never swallowed: kept for ThrowIfFailed, and written where the test's output shows it.
                _failures.Enqueue(e);
                _output?.WriteLine($"FAKE ECS scheduler pass failed: {e.Message}{(e is AwsApiException { Code: "ServerError" } ? $"\nmoto: {_moto.LastTraceback()}" : "")}");
            }

            try
            {
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var arns = (await CallAsync("ListServices", new JsonObject { ["cluster"] = _cluster }, cancellationToken))["serviceArns"]!.AsArray().Select(a => (string)a!).ToList();
        var tasks = await TasksAsync(cancellationToken);
        foreach (var batch in arns.Chunk(10))
        {
            // include TAGS like the driver: moto keeps "include" in one class-wide table shared by all its
            // request threads, so a describe without it, answered while the driver's is, strips the driver's tags.
            var services = (await CallAsync("DescribeServices", new JsonObject { ["cluster"] = _cluster, ["services"] = new JsonArray(batch.Select(b => (JsonNode)b!).ToArray()), ["include"] = new JsonArray("TAGS") }, cancellationToken))["services"]!.AsArray();
            foreach (var service in services.OfType<JsonObject>())
            {
                var name = (string)service["serviceName"]!;
                var own = tasks.Where(t => (string?)t["group"] == $"service:{name}").OrderBy(t => (double?)t["createdAt"] ?? 0).ThenBy(t => (string)t["taskArn"]!, StringComparer.Ordinal).ToList();
                if ((string)service["status"]! != "ACTIVE")
                {
                    await StopAsync(own, cancellationToken);
                    continue;
                }

                var revision = (string)service["taskDefinition"]!;
                var desired = (int)service["desiredCount"]!;
                var current = own.Where(t => (string)t["taskDefinitionArn"]! == revision).ToList();
                var others = own.Except(current).ToList();
                if (await UnhealthyAsync(revision, cancellationToken))
                {
                    // The circuit breaker: back to the revision the service's tasks ran.
                    if (others.FirstOrDefault() is { } old)
                    {
                        await CallAsync("UpdateService", new JsonObject { ["cluster"] = _cluster, ["service"] = name, ["taskDefinition"] = (string)old["taskDefinitionArn"]! }, cancellationToken);
                    }

                    continue;
                }

                if (current.Count < desired)
                {
                    await CallAsync("RunTask", new JsonObject
                    {
                        ["cluster"] = _cluster,
                        ["taskDefinition"] = revision,
                        ["count"] = desired - current.Count,
                        ["launchType"] = "FARGATE",
                        ["group"] = $"service:{name}",
                        ["startedBy"] = "ecs-svc/fake",
                        ["networkConfiguration"] = _network.DeepClone(),
                    }, cancellationToken);
                }

                // New tasks run before old ones stop (minimum healthy 100 %); a surplus goes newest first.
                await StopAsync(others.Concat(current.Skip(desired)), cancellationToken);
            }
        }
    }

    /// <summary>With TAGS, like the driver (moto's include table is shared by its threads: see DescribeServices).</summary>
    private async Task<List<JsonObject>> TasksAsync(CancellationToken cancellationToken)
    {
        var arns = (await CallAsync("ListTasks", new JsonObject { ["cluster"] = _cluster, ["desiredStatus"] = "RUNNING" }, cancellationToken))["taskArns"]!.AsArray().Select(a => (JsonNode)a!.GetValue<string>()).ToArray();
        return arns.Length == 0 ? [] : (await CallAsync("DescribeTasks", new JsonObject { ["cluster"] = _cluster, ["tasks"] = new JsonArray(arns), ["include"] = new JsonArray("TAGS") }, cancellationToken))["tasks"]!.AsArray().OfType<JsonObject>().ToList();
    }

    private async Task StopAsync(IEnumerable<JsonObject> tasks, CancellationToken cancellationToken)
    {
        foreach (var task in tasks)
        {
            await CallAsync("StopTask", new JsonObject { ["cluster"] = _cluster, ["task"] = (string)task["taskArn"]!, ["reason"] = "fake scheduler" }, cancellationToken);
        }
    }

    private async Task<bool> UnhealthyAsync(string revision, CancellationToken cancellationToken)
    {
        if (_unhealthy.TryGetValue(revision, out var known))
        {
            return known;
        }

        var definition = (await CallAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = revision }, cancellationToken))["taskDefinition"]!;
        var command = definition["containerDefinitions"]?[0]?["healthCheck"]?["command"]?.AsArray().Select(c => (string?)c ?? "") ?? [];
        return _unhealthy[revision] = command.Any(c => c.Contains("/missing", StringComparison.Ordinal));
    }

    private Task<JsonObject> CallAsync(string action, JsonObject body, CancellationToken cancellationToken) =>
        _aws.JsonAsync("ecs", Target, action, body, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _aws.Dispose();
    }
}
