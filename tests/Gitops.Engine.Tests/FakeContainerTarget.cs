using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Engine.Targets.Replicas;
using Gitops.Schema.Model;
using Gitops.Tests.Conformance;

namespace Gitops.Engine.Tests;

/// <summary>
/// A FAKE target, in memory: a container engine as the platform uses the Docker Engine API, for
/// tests of the executor, recovery and the conformance suite that run in milliseconds. It follows
/// the engine's documented behaviour where the platform relies on it: objects carry labels and are
/// listed by them; creating a name that exists is a conflict (409), so a rerun starts the existing
/// container; removing what is gone is "not found", which the driver takes as done; a network or
/// volume of another environment is refused. Its "httpd" image answers 200 on every path but those
/// under <c>/missing</c> (404), like busybox httpd serving <c>/etc</c> in the real engines' tests.
/// Every call yields and honours cancellation before it changes anything.
/// </summary>
internal sealed class FakeContainerTarget(TargetCapabilities? capabilities = null) : IReplicaDriver, ITargetUnderTest
{
    public const string HttpdImage = "fake.local/httpd:1";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, string>> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _volumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Instance> _containers = new(StringComparer.Ordinal);
    private int _ids;

    public string Kind => "fake";

    /// <summary>The container family's, but for the sandbox (the fake has no gVisor) and allowFrom (no door networks), unless the test says otherwise.</summary>
    public TargetCapabilities Capabilities { get; } = capabilities ?? new()
    {
        Rollout = RolloutOwner.Platform,
        Traffic = TrafficOwner.PlatformIngress,
        NetworkPolicy = true,
        Volumes = true,
        Secrets = true,
        Autoscaling = true,
    };

    ITargetDriver ITargetUnderTest.Driver => this;

    string ITargetUnderTest.Image => HttpdImage;

    string ITargetUnderTest.Command => "[\"httpd\"]";

    int ITargetUnderTest.StepsOf(string change) => change == "create" ? 3 : 4;

    public Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken) => Task.FromResult(new TargetProbe(true, "fake"));

    public async Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        var network = Names.Network(project, environment);
        lock (_gate)
        {
            var containers = _containers.Values
                .Where(c => Ownership.Owns(c.Labels, project, environment))
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => new ObservedContainer(c.Id, c.Name, c.Labels[Labels.Service], c.Labels[Labels.Fingerprint], int.Parse(c.Labels[Labels.Replica], CultureInfo.InvariantCulture), c.Running)
                {
                    Address = c.Running && c.Network == network ? c.Address : null,
                    OnNetwork = c.Network == network,
                });
            var networks = _networks.Where(n => Ownership.Owns(n.Value, project, environment)).Select(n => n.Key).ToList();
            return new ObservedState(
                networks.Contains(network),
                new ValueList<string>(_volumes.Where(v => Ownership.Owns(v.Value, project, environment)).Select(v => v.Key).Order(StringComparer.Ordinal)),
                new ValueList<ObservedContainer>(containers))
            {
                OtherNetworks = new ValueList<string>(networks.Where(n => n != network).Order(StringComparer.Ordinal)),
            };
        }
    }

    public Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        EnsureAsync(_networks, "network", project, environment, name, cancellationToken);

    public Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        EnsureAsync(_volumes, "volume", project, environment, name, cancellationToken);

    public async Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            _networks.Remove(name);
        }
    }

    public async Task RemoveVolumeAsync(string name, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            _volumes.Remove(name);
        }
    }

    public async Task StartReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            if (!_networks.ContainsKey(request.Network))
            {
                throw new InvalidOperationException($"network {request.Network} not found");
            }

            if (!_containers.TryGetValue(request.Name, out var container))
            {
                var labels = Labels.For(request.Project, request.Environment);
                labels[Labels.Service] = request.Service.Name;
                labels[Labels.Fingerprint] = request.Service.Fingerprint;
                labels[Labels.Replica] = request.Index.ToString(CultureInfo.InvariantCulture);
                var id = ++_ids;
                container = new Instance($"fake{id:D6}", request.Name, labels, request.Network, $"10.89.0.{id % 250 + 2}", request.Service.Spec);
                _containers.Add(request.Name, container);
            }

            container.Running = true;
        }
    }

    public async Task<HealthResult> WaitHealthyAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            if (!_containers.TryGetValue(request.Name, out var container) || !container.Running)
            {
                return new HealthResult(false, "exited before it was healthy");
            }

            return container.Spec.Health is { } health
                ? health.Path.StartsWith("/missing", StringComparison.Ordinal)
                    ? new HealthResult(false, $"health check {health.Path} kept failing for {health.Retries} x {health.Interval}: HTTP 404")
                    : new HealthResult(true, "HTTP 200")
                : new HealthResult(true, "running, up 3s without a restart");
        }
    }

    /// <summary>One look, like <see cref="WaitHealthyAsync"/>'s answer: a health path under /missing fails.</summary>
    public async Task<HealthResult> CheckReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            return !_containers.TryGetValue(request.Name, out var container) || !container.Running ? new HealthResult(false, "not running")
                : container.Spec.Health is { Path: var path } && path.StartsWith("/missing", StringComparison.Ordinal) ? new HealthResult(false, "HTTP 404")
                : new HealthResult(true, "HTTP 200");
        }
    }

    public async Task RemoveReplicaAsync(string name, TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            _containers.Remove(name);
        }
    }

    public Task RemoveBehindThePlatformsBackAsync(string instance, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Assert.True(_containers.Remove(instance), $"no container {instance}");
        }

        return Task.CompletedTask;
    }

    public Task CleanUpAsync(string project, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var objects in new IDictionary<string, Dictionary<string, string>>[] { _networks, _volumes })
            {
                foreach (var name in objects.Where(o => o.Value[Labels.Project] == project).Select(o => o.Key).ToList())
                {
                    objects.Remove(name);
                }
            }

            foreach (var name in _containers.Values.Where(c => c.Labels[Labels.Project] == project).Select(c => c.Name).ToList())
            {
                _containers.Remove(name);
            }
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task EnsureAsync(Dictionary<string, Dictionary<string, string>> objects, string kind, string project, string environment, string name, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            if (objects.TryGetValue(name, out var labels))
            {
                if (Ownership.Refusal(kind, name, labels, project, environment) is { } refusal)
                {
                    throw new InvalidOperationException(refusal);
                }

                return;
            }

            objects.Add(name, Labels.For(project, environment));
        }
    }

    /// <summary>While set, every call fails as a target that does not answer (a stopped daemon).</summary>
    public bool Unavailable { get; set; }

    /// <summary>Every call yields, so concurrent nodes interleave, and does nothing once cancelled (a dead process's calls).</summary>
    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Unavailable)
        {
            throw new TargetUnavailableException("fake target: connection refused");
        }

        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private sealed class Instance(string id, string name, Dictionary<string, string> labels, string network, string address, ServiceSpec spec)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public Dictionary<string, string> Labels { get; } = labels;

        public string Network { get; } = network;

        public string Address { get; } = address;

        public ServiceSpec Spec { get; } = spec;

        public bool Running { get; set; }
    }
}

/// <summary>The conformance suite against the in-memory FAKE target.</summary>
public sealed class FakeTargetConformanceTests : TargetConformance
{
    protected override Task<ITargetUnderTest> OpenAsync() => Task.FromResult<ITargetUnderTest>(new FakeContainerTarget());
}
