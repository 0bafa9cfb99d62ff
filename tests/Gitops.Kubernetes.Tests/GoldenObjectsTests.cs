using System.Text;
using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Secrets;
using Gitops.Providers.Kubernetes;
using Gitops.Schema.Loading;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// The objects each manifest becomes on a cluster, compared to the letter with Golden/*.yaml
/// (reviewed against the Kubernetes API reference: field names, types, defaults the server would
/// otherwise fill in). The Deployment's record of itself (<c>paas.applied</c>, a JSON copy of its
/// labels and spec) is left out of the files and checked on its own. When a change is intended,
/// run with PAAS_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public sealed class GoldenObjectsTests
{
    private const string Web = "  web:\n    image: registry.example.com/shop/web:1.4.2\n    port: 8080\n";

    public static TheoryData<string> Names() => new(Scenarios.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, (string Services, KubernetesOptions Options)> Scenarios = new()
    {
        ["01-web-service"] = (Web, new()),
        ["02-worker-without-port"] = ("  worker:\n    image: registry.example.com/shop/worker:2\n    command: [\"worker\", \"--queue\", \"mail\"]\n", new()),
        ["03-health-check-probes"] = (Web + "    health: { path: /healthz, interval: 5s, timeout: 2s, retries: 4, startPeriod: 20s }\n", new()),
        ["04-resources"] = (Web + "    resources: { cpu: 1500m, memory: 1Gi }\n", new()),
        ["05-whole-cores-and-default-memory"] = (Web + "    resources: { cpu: 2 }\n", new()),
        ["06-read-only-root"] = (Web + "    readOnly: true\n", new()),
        ["07-secrets"] = (Web + "    secrets: [DATABASE_URL, API_KEY]\n", new()),
        ["08-volumes"] = ("  db:\n    image: postgres:16\n    port: 5432\n    volumes: { data: /var/lib/postgresql/data, backups: /backups }\n", new()),
        ["09-replicas-and-recreate"] = (Web + "    replicas: 3\n    deploy: { strategy: recreate, drain: 45s }\n", new()),
        ["10-gvisor-sandbox"] = (Web + "    sandbox: gvisor\n", new()),
        ["11-public-with-domains"] = (Web + "    public: true\n    domains: [shop.example.com, www.shop.example.com]\n", new() { IngressClass = "nginx" }),
        ["12-public-default-domain-with-tls"] = (Web + "    public: true\n", new() { BaseDomain = "apps.example.com", ClusterIssuer = "letsencrypt" }),
        ["13-public-through-gateway-api"] = (Web + "    public: true\n    domains: [shop.example.com]\n", new() { Gateway = "infra/public" }),
        ["14-one-shared-namespace"] = (Web + "  worker:\n    image: registry.example.com/shop/worker:2\n    secrets: [API_KEY]\n    volumes: { cache: /cache }\n", new() { Namespace = "team-a" }),
        ["15-env-sorted-and-args"] = (Web + "    command: [\"serve\", \"--port\", \"8080\"]\n    env: { ZONE: eu, LOG_LEVEL: debug, EMPTY: \"\" }\n", new()),
        ["16-three-services"] = (Web + "    public: true\n    dependsOn: [api]\n  api:\n    image: registry.example.com/shop/api:3\n    port: 9000\n    health: { path: /ready }\n  worker:\n    image: registry.example.com/shop/worker:2\n", new() { BaseDomain = "apps.example.com" }),
        ["17-health-on-another-port"] = (Web + "    health: { path: /status, port: 9090 }\n", new()),
        ["18-progress-deadline-from-the-target"] = (Web + "    replicas: 2\n", new() { ProgressDeadlineSeconds = 120 }),
        ["19-autoscale-on-cpu-and-memory"] = (Web + "    autoscale: { min: 2, max: 6, cpu: 70, memory: 80 }\n    resources: { cpu: 500m }\n", new()),
        ["20-crons-in-the-services-image"] = (Web + "    secrets: [API_KEY]\ncrons:\n  nightly: { service: web, schedule: \"0 3 * * *\", command: [\"report\", \"--daily\"], timeout: 30m }\n  cleanup: { service: web, schedule: \"@hourly\", concurrency: replace }\n", new()),
        ["21-allow-from"] = (Web + "    allowFrom: [api]\n  api:\n    image: registry.example.com/shop/api:3\n    port: 9000\n", new()),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void A_manifest_becomes_the_golden_objects(string name)
    {
        var (services, options) = Scenarios[name];
        var desired = Desired(services, options.BaseDomain);

        var objects = KubeObjects.All(desired, options, Secrets);

        var text = new StringBuilder($"# {name}: the objects of project shop, environment dev (paas.applied left out)\n");
        foreach (var item in objects)
        {
            text.Append("---\n").Append(YamlText.Write(WithoutRecord(item.Value)));
        }

        var path = Path.Combine(RepositoryRoot.Path, "tests", "Gitops.Kubernetes.Tests", "Golden", name + ".yaml");
        if (Environment.GetEnvironmentVariable("PAAS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, text.ToString());
        }

        Assert.True(File.Exists(path), $"{path} is missing: run with PAAS_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path), text.ToString());
    }

    [Fact]
    public void A_deployment_records_exactly_its_labels_and_spec_and_never_a_secret_value()
    {
        var desired = Desired(Web + "    secrets: [API_KEY]\n", null);
        var deployment = KubeObjects.All(desired, new KubernetesOptions(), Secrets).Single(o => o.Resource == KubeResource.Deployment).Value;

        var record = JsonNode.Parse((string)deployment["metadata"]!["annotations"]![KubeLabels.Applied]!)!.AsObject();

        Assert.Equal(["metadata", "spec"], record.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(deployment["spec"], record["spec"]));
        Assert.True(JsonNode.DeepEquals(deployment["metadata"]!["labels"], record["metadata"]!["labels"]));
        Assert.DoesNotContain("golden-canary", deployment.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Namespaces_of_environments_whose_joined_names_are_alike_differ()
    {
        // With '-' alone, x-app/dev-pg and x-app-dev/pg would share paas-x-app-dev-pg.
        Assert.NotEqual(KubeNames.Namespace("x-app", "dev-pg"), KubeNames.Namespace("x-app-dev", "pg"));
        Assert.All([KubeNames.Namespace("x-app", "dev-pg"), KubeNames.Namespace(new string('a', 63), new string('b', 63))], n =>
            Assert.Matches("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", n));
    }

    internal static DesiredState Desired(string services, string? baseDomain, string project = "shop")
    {
        var loaded = ManifestLoader.LoadText($"version: 1\nproject: {project}\nenvironments:\n  dev: {{ branch: main }}\nservices:\n{services}", "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var manifest = loaded.ForEnvironment("dev");
        var secrets = manifest.Services.SelectMany(s => s.Value.Secrets).Distinct().ToDictionary(s => s, _ => "v1 (all environments)");
        var compiled = Compiler.Compile(manifest, "dev", "rev-1", new CompileInputs(new Dictionary<string, string>(), secrets) { BaseDomain = baseDomain });
        Assert.True(compiled.State is not null, string.Join("\n", compiled.Errors));
        return compiled.State;
    }

    private static SecretValues? Secrets(DesiredService service) =>
        service.Spec.Secrets.Count == 0 ? null : new SecretValues(service.Spec.Secrets.ToDictionary(s => s, s => $"golden-canary-{s.ToLowerInvariant()}"));

    private static JsonObject WithoutRecord(JsonObject value)
    {
        var copy = value.DeepClone().AsObject();
        if (copy["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(KubeLabels.Applied);
            if (annotations.Count == 0)
            {
                copy["metadata"]!.AsObject().Remove("annotations");
            }
        }

        return copy;
    }
}
