using Gitops.Schema.Model;

namespace Gitops.Engine.Desired;

/// <summary>What one environment of one project should look like: immutable data, no I/O types.</summary>
public sealed record DesiredState(
    string Project,
    string Environment,
    string Revision,
    string Network,
    ValueList<string> Volumes,
    ValueList<DesiredService> Services)
{
    public DesiredService? Service(string name) => Services.FirstOrDefault(s => s.Name == name);
}

/// <summary>One service: its spec, how many replicas, and what must run before it.</summary>
public sealed record DesiredService(
    string Name,
    ServiceSpec Spec,
    string Fingerprint,
    int Replicas,
    DeployStrategy Strategy,
    Duration Drain,
    ValueList<string> DependsOn);
