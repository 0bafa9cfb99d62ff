using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Schema.Loading;

namespace Gitops.Engine.Tests;

public sealed class CompilerTests
{
    [Fact]
    public void Names_and_defaults_are_deterministic()
    {
        var state = Scenario.Desired("services:\n  web: { image: busybox:1.36, volumes: { data: /data } }\n");
        var web = state.Service("web")!;

        Assert.Equal("paas_shop_dev", state.Network);
        Assert.Equal(["paas_shop_dev_data"], state.Volumes);
        Assert.Equal("/data", web.Spec.Mounts["paas_shop_dev_data"]);
        Assert.Equal(Compiler.DefaultMemoryBytes, web.Spec.MemoryBytes);
        Assert.Equal($"paas_shop_dev_web_{web.Fingerprint[..8]}_2", Names.Replica("shop", "dev", "web", web.Fingerprint, 2));
        Assert.Equal(web.Fingerprint, Scenario.Desired("services:\n  web: { image: busybox:1.36, volumes: { data: /data } }\n").Service("web")!.Fingerprint);
    }

    [Fact]
    public void An_unknown_template_and_missing_secrets_are_refused_with_the_reason()
    {
        var manifest = ManifestLoader.LoadText(Scenario.Header + "services:\n  db: { template: postgress }\n  web: { image: busybox:1.36, secrets: [API_KEY] }\n", "paas.yaml").ForEnvironment("dev");

        var result = Compiler.Compile(manifest, "dev", "r", CompileInputs.None);

        Assert.Null(result.State);
        Assert.Contains(result.Errors, e => e.StartsWith("services.db.template: no template 'postgress' in the catalogue; templates: mariadb, postgres, redis", StringComparison.Ordinal) && e.Contains("did you mean 'postgres'?", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("secret API_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public void A_backup_of_a_service_without_volumes_is_refused_naming_the_service_rather_than_accepted_and_never_run()
    {
        var loaded = Gitops.Schema.Loading.ManifestLoader.LoadText(Scenario.Header + "services:\n  web: { image: busybox:1.36, backup: { schedule: '0 3 * * *', keep: 7 } }\n", "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));

        var result = Compiler.Compile(loaded.ForEnvironment("dev"), "dev", "rev", CompileInputs.None);

        Assert.Null(result.State);
        Assert.Contains(result.Errors, e => e.StartsWith("services.web.backup: service 'web' has no volumes, so there is nothing of it to back up", StringComparison.Ordinal));
    }

    [Fact]
    public void A_backup_of_a_plain_service_copies_its_volumes_by_their_manifest_names()
    {
        var state = Scenario.Desired("services:\n  files: { image: busybox:1.36, volumes: { data: /data, cache: /cache }, backup: { schedule: '0 4 * * *', keep: 3, verify: true } }\n");

        var backup = state.Service("files")!.Extras.Backup!;

        Assert.Equal(DesiredBackup.OfVolumes, backup.Template);
        Assert.Equal(["cache", "data"], backup.Volumes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Names.Volume(state.Project, "dev", "data"), backup.Volumes["data"]);
        Assert.Equal(("0 4 * * *", 3, true), (backup.Schedule, backup.Keep, backup.Verify));
        Assert.Empty(backup.Dump); // nothing runs in the service: it is stopped while its volumes are copied
    }

    [Fact]
    public void A_volume_backup_is_refused_on_a_target_that_cannot_stop_a_service_and_copy_its_volumes()
    {
        var state = Scenario.Desired("services:\n  files: { image: busybox:1.36, volumes: { data: /data }, backup: { keep: 3 } }\n");

        var refusals = CapabilityCheck.Refusals(state, new FakeContainerTarget());

        Assert.Contains(refusals, r => r.StartsWith("services.files.backup: a volume backup stops the service and copies its volumes with a helper container, which paas does on docker and podman targets only", StringComparison.Ordinal));
    }

    [Fact]
    public void Autoscaled_service_starts_at_its_minimum()
    {
        var state = Scenario.Desired("services:\n  web: { image: busybox:1.36, autoscale: { min: 2, max: 5 } }\n");

        Assert.Equal(2, state.Service("web")!.Replicas);
    }
}
