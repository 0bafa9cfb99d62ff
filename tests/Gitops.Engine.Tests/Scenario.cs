using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>
/// Builds planner inputs from a manifest written in YAML: desired state compiled as the CLI
/// does (build services get a fixed image tag), observed and recorded states made to match an
/// earlier manifest, then changed by the test.
/// </summary>
internal static class Scenario
{
    public const string Header = "version: 1\nproject: shop\nenvironments:\n  dev: { branch: main }\n";

    public static DesiredState Desired(string services)
    {
        var loaded = ManifestLoader.LoadText(Header + services, "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var manifest = loaded.ForEnvironment("dev");
        var images = manifest.Services.Where(s => s.Value.Build is not null)
            .ToDictionary(s => s.Key, s => Names.BuiltImage("shop", s.Key, new string('a', 64)));
        var secrets = manifest.Services.SelectMany(s => s.Value.Secrets).Distinct().ToDictionary(s => s, _ => "v1 (all environments)");
        var compiled = Compiler.Compile(manifest, "dev", "rev-2", new CompileInputs(images, secrets));
        Assert.Empty(compiled.Errors);
        return compiled.State!;
    }

    /// <summary>What the engine would report after a successful apply of <paramref name="desired"/>.</summary>
    public static ObservedState Running(DesiredState desired) => new(
        true,
        desired.Volumes,
        new ValueList<ObservedContainer>(desired.Services.SelectMany(s => Enumerable.Range(1, s.Replicas).Select(i =>
            new ObservedContainer($"id-{s.Name}-{i}", Names.Replica(desired.Project, desired.Environment, s.Name, s.Fingerprint, i), s.Name, s.Fingerprint, i, true)))));

    /// <summary>What the state would hold after a successful apply of <paramref name="desired"/>.</summary>
    public static RecordedState Recorded(DesiredState desired, long version = 3) => new(
        version,
        "rev-1",
        new ValueMap<RecordedService>(desired.Services.Select(s => KeyValuePair.Create(s.Name, new RecordedService(s.Fingerprint, s.Replicas, s.Spec) { Extras = s.Extras }))),
        new ValueList<string>(Running(desired).Containers.Select(c => c.Name).Append(desired.Network).Concat(desired.Volumes)));

    public static Plan Plan(DesiredState desired, ObservedState observed, RecordedState recorded) => Planner.Plan(desired, observed, recorded);
}
