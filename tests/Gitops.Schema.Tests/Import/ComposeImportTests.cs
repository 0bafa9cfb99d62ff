using Gitops.Schema.Diagnostics;
using Gitops.Schema.Import;
using Gitops.Schema.Model;

namespace Gitops.Schema.Tests.Import;

/// <summary>How each Compose key is carried or explained, one behaviour at a time.</summary>
public sealed class ComposeImportTests
{
    private static ComposeImportResult Import(string compose, ComposeImportOptions? options = null) =>
        ComposeImport.Import(compose, "compose.yaml", options ?? new ComposeImportOptions { FallbackProject = "demo" });

    private static (ComposeImportResult Result, Service Service) One(string service)
    {
        var result = Import($"services:\n  app:\n{string.Join("\n", service.Split('\n').Select(l => $"    {l}"))}\n");
        return (result, ComposeFixtures.Manifest(result).Services["app"]);
    }

    [Fact]
    public void Privileged_devices_host_namespaces_and_added_capabilities_are_noted_never_carried()
    {
        var (result, service) = One("""
            image: nginx:1.25
            privileged: true
            devices: ["/dev/fuse:/dev/fuse"]
            network_mode: host
            pid: host
            ipc: host
            cap_add: [SYS_ADMIN, NET_BIND_SERVICE]
            security_opt: ["no-new-privileges:true", "seccomp:unconfined"]
            """);

        Assert.Equal("nginx:1.25", service.Image);
        Assert.Equal("app: privileged: true is not carried over: paas never runs a privileged container: it would own the host (refused by the container policy, docs/security.md)", result.Note("app", "privileged").ToString());
        Assert.Contains("no host devices", result.Note("app", "devices").Reason, StringComparison.Ordinal);
        Assert.Contains("host namespaces are refused", result.Note("app", "network_mode").Reason, StringComparison.Ordinal);
        Assert.Contains("host namespaces are refused", result.Note("app", "pid").Reason, StringComparison.Ordinal);
        Assert.Contains("host namespaces are refused", result.Note("app", "ipc").Reason, StringComparison.Ordinal);
        Assert.Contains("(SYS_ADMIN is refused", result.Note("app", "cap_add").Reason, StringComparison.Ordinal);
        Assert.Equal("\"seccomp:unconfined\"", Assert.Single(result.Notes("app", "security_opt")).Value);
        Assert.DoesNotContain("privileged", result.Manifest!.Split('\n').Where(l => !l.TrimStart().StartsWith('#')), StringComparer.Ordinal);
    }

    [Fact]
    public void A_string_command_is_split_like_compose_without_a_shell()
    {
        var (_, service) = One("""
            image: busybox:1.36
            command: sh -c 'echo "a b" && sleep 1' --flag=x\ y ""
            """);

        Assert.Equal(["sh", "-c", "echo \"a b\" && sleep 1", "--flag=x y", ""], service.Command);
    }

    [Fact]
    public void A_string_command_with_a_shell_operator_outside_quotes_is_noted_and_the_image_command_kept()
    {
        var (result, service) = One("""
            image: busybox:1.36
            command: ./migrate && ./serve
            """);

        Assert.Null(service.Command);
        var note = result.Note("app", "command");
        Assert.Equal(ComposeNoteKind.NotCarried, note.Kind);
        Assert.Contains("'&&' outside quotes needs a shell", note.Reason, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("compose.yaml", 4, 14), note.Location);
    }

    [Theory]
    [InlineData("run 'unclosed", "a single quote is never closed")]
    [InlineData("echo $$(id)", "command substitution")]
    [InlineData("echo $(id)", "is not a variable; write $$ for a literal $")]
    [InlineData("cat < /etc/passwd", "'<' outside quotes")]
    public void A_string_command_that_cannot_be_split_safely_says_why(string command, string why)
    {
        var (result, service) = One($"image: busybox:1.36\ncommand: \"{command}\"");

        Assert.Null(service.Command);
        Assert.Contains(why, result.Note("app", "command").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_in_list_and_map_form_is_carried_and_values_stay_strings()
    {
        var listed = One("image: busybox:1.36\nenvironment:\n  - PORT=8080\n  - EMPTY=\n  - DEBUG=true").Service;
        var mapped = One("image: busybox:1.36\nenvironment:\n  PORT: 8080\n  EMPTY: \"\"\n  DEBUG: true").Service;

        Assert.Equal(listed.Env, mapped.Env);
        Assert.Equal("8080", mapped.Env["PORT"]);
        Assert.Equal("", mapped.Env["EMPTY"]);
        Assert.Equal("true", mapped.Env["DEBUG"]);
    }

    [Fact]
    public void Variables_with_defaults_are_substituted_and_noted_and_double_dollar_is_a_literal()
    {
        var (result, service) = One("""
            image: "nginx:${TAG:-1.25}"
            environment:
              GREETING: "hi ${NAME-there}"
              PRICE: "$$5"
              EXTRA: "${MISSING:+set}"
            """);

        Assert.Equal("nginx:1.25", service.Image);
        Assert.Equal("hi there", service.Env["GREETING"]);
        Assert.Equal("$5", service.Env["PRICE"]);
        Assert.Equal("", service.Env["EXTRA"]);
        Assert.Contains("written as \"nginx:1.25\"", result.Note("app", "image").Reason, StringComparison.Ordinal);
        Assert.Empty(result.Notes("app", "environment.PRICE"));
    }

    [Fact]
    public void A_value_compose_would_read_from_the_shell_becomes_a_secret_named_after_the_variable_it_sets()
    {
        var (result, service) = One("""
            image: busybox:1.36
            environment:
              DATABASE_URL: "postgres://app:${DB_PASSWORD}@db/app"
              TOKEN: ${API_TOKEN:?set it}
              FROM_SHELL:
            """);

        Assert.Equal(["DATABASE_URL", "TOKEN", "FROM_SHELL"], service.Secrets);
        Assert.Empty(service.Env);
        Assert.Contains("store the whole value", result.Note("app", "environment.DATABASE_URL").Reason, StringComparison.Ordinal);
        Assert.Contains("paas secrets set demo TOKEN", result.Note("app", "environment.TOKEN").Reason, StringComparison.Ordinal);
        Assert.Equal([("app", "DATABASE_URL"), ("app", "TOKEN"), ("app", "FROM_SHELL")], result.Secrets);
    }

    [Fact]
    public void Env_files_are_read_for_their_names_only_and_a_missing_one_is_noted()
    {
        var result = ComposeImport.Import("""
            services:
              app:
                image: busybox:1.36
                environment: { MODE: prod }
                env_file: [app.env, { path: optional.env, required: false }, missing.env]
            """, "compose.yaml", new ComposeImportOptions
        {
            ReadFile = name => name == "app.env" ? "# comment\nexport SECRET_KEY=abc123\nMODE=dev\nMULTI=\"line one\nline two\"\nAFTER=1\n" : null,
        });
        var service = ComposeFixtures.Manifest(result).Services["app"];

        Assert.Equal(["SECRET_KEY", "MULTI", "AFTER"], service.Secrets);
        Assert.Equal("prod", service.Env["MODE"]); // environment wins over env_file, as in Compose
        Assert.DoesNotContain("abc123", result.Manifest, StringComparison.Ordinal);
        var notes = result.Notes("app", "env_file").ToList();
        Assert.Contains(notes, n => n.Kind == ComposeNoteKind.NotCarried && n.Reason.StartsWith("missing.env does not exist", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Reason.Contains("required: false", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"8080:80\"", 80, true, "host's port 8080")]
    [InlineData("\"80\"", 80, true, "a port the engine picks")]
    [InlineData("\"127.0.0.1:8080:80\"", 80, false, "127.0.0.1 only")]
    [InlineData("\"[::1]:8080:80\"", 80, false, "::1 only")]
    [InlineData("\"5432:5432\"", 5432, false, "PostgreSQL's port")]
    [InlineData("{ target: 3000, published: \"8080\", protocol: tcp, mode: host }", 3000, true, "host's port 8080")]
    public void A_published_port_is_routed_by_the_ingress_unless_it_is_local_or_not_http(string port, int expected, bool isPublic, string why)
    {
        var (result, service) = One($"image: busybox:1.36\nports:\n  - {port}");

        Assert.Equal(expected, service.Port);
        Assert.Equal(isPublic, service.Public);
        var note = result.Note("app", "ports");
        Assert.Equal(ComposeNoteKind.Changed, note.Kind);
        Assert.Contains(why, note.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Udp_ports_ranges_and_further_ports_are_noted()
    {
        var (result, service) = One("""
            image: busybox:1.36
            ports: ["53:53/udp", "443:443", "8080:80", "9000-9002:9000-9002"]
            """);

        Assert.Equal(80, service.Port); // 443 is TLS, which the ingress ends: the HTTP port is routed
        var notes = result.Notes("app", "ports").Select(n => n.Reason).ToList();
        Assert.Contains(notes, n => n.StartsWith("UDP", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("443 (HTTPS", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("a range of 3 ports", StringComparison.Ordinal));
    }

    [Fact]
    public void Named_volumes_are_carried_and_host_paths_in_every_spelling_are_noted_with_the_path()
    {
        var result = Import("""
            services:
              app:
                image: busybox:1.36
                volumes:
                  - data:/var/lib/app
                  - ./conf:/etc/app:ro
                  - ~/cache:/cache
                  - /srv/media:/media
                  - /var/lib/anonymous
                  - type: bind
                    source: /etc/ssl
                    target: /ssl
                  - type: volume
                    source: logs
                    target: /logs
                    read_only: true
                  - type: tmpfs
                    target: /run
            volumes:
              data:
              logs:
            """);
        var service = ComposeFixtures.Manifest(result).Services["app"];

        Assert.Equal(new Dictionary<string, string> { ["data"] = "/var/lib/app", ["app-anonymous"] = "/var/lib/anonymous", ["logs"] = "/logs" }, service.Volumes.ToDictionary(v => v.Key, v => v.Value));
        var dropped = result.Notes("app", "volumes").Where(n => n.Kind == ComposeNoteKind.NotCarried).Select(n => n.Reason).ToList();
        foreach (var path in new[] { "./conf", "~/cache", "/srv/media", "/etc/ssl" })
        {
            Assert.Contains(dropped, d => d.StartsWith($"{path} is a path on the host: paas never mounts host paths", StringComparison.Ordinal));
        }

        Assert.Contains(dropped, d => d.Contains("no tmpfs", StringComparison.Ordinal));
        Assert.Contains(result.Notes("app", "volumes"), n => n.Kind == ComposeNoteKind.Changed && n.Reason.Contains("read-write", StringComparison.Ordinal));
        Assert.Equal(DeployStrategy.Recreate, service.Deploy.Strategy);
    }

    [Fact]
    public void Depends_on_long_form_is_carried_and_a_run_once_dependency_is_noted()
    {
        var result = Import("""
            services:
              migrate:
                image: busybox:1.36
                restart: "no"
              db:
                image: busybox:1.36
              web:
                image: busybox:1.36
                depends_on:
                  db: { condition: service_healthy, restart: true }
                  migrate: { condition: service_completed_successfully }
                  ghost: { condition: service_started }
            """);
        var web = ComposeFixtures.Manifest(result).Services["web"];

        Assert.Equal(["db"], web.DependsOn);
        Assert.Contains("run-once job", result.Note("web", "depends_on.migrate").Reason, StringComparison.Ordinal);
        Assert.Contains("ghost is not a service", result.Note("web", "depends_on").Reason, StringComparison.Ordinal);
        Assert.Contains("is replaced", result.Note("web", "depends_on.db.restart").Reason, StringComparison.Ordinal);
        Assert.Contains("unless you stop it", result.Note("migrate", "restart").Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[\"CMD\", \"curl\", \"-fsS\", \"http://localhost:8080/healthz\"]", "/healthz", null, null)]
    [InlineData("[\"CMD-SHELL\", \"wget -qO- http://127.0.0.1:9090/ready || exit 1\"]", "/ready", 9090, null)]
    [InlineData("curl -f http://localhost/", "/", 80, null)]
    [InlineData("[\"CMD\", \"pg_isready\", \"-U\", \"app\"]", null, null, "pg_isready -U app")]
    [InlineData("[\"CMD-SHELL\", \"pg_isready -U app\"]", null, null, "pg_isready -U app")]
    [InlineData("[\"CMD-SHELL\", \"curl -H 'Host: x' http://localhost:8080/\"]", null, null, "curl -H Host: x http://localhost:8080/")]
    [InlineData("[\"CMD-SHELL\", \"test -f /tmp/ready || exit 1\"]", null, null, "test -f /tmp/ready")]
    [InlineData("[\"CMD-SHELL\", \"[ -f /tmp/ready ]\"]", null, null, "/bin/sh -c [ -f /tmp/ready ]")]
    public void Healthcheck_tests_become_http_checks_or_commands(string test, string? path, int? port, string? command)
    {
        var (_, service) = One($"image: busybox:1.36\nports: [\"8080:8080\"]\nhealthcheck:\n  test: {test}\n  interval: 1m30s\n  timeout: 1.5s\n  retries: 4\n  start_period: 40s");

        var health = service.Health!;
        Assert.Equal(path ?? "/", health.Path);
        Assert.Equal(port, health.Port);
        Assert.Equal(command, health.Command is null ? null : string.Join(' ', health.Command));
        Assert.Equal(TimeSpan.FromSeconds(90), health.Interval.Value);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), health.Timeout.Value);
        Assert.Equal(4, health.Retries);
        Assert.Equal(TimeSpan.FromSeconds(40), health.StartPeriod.Value);
    }

    [Fact]
    public void A_disabled_healthcheck_gives_no_check()
    {
        Assert.Null(One("image: busybox:1.36\nhealthcheck:\n  test: [\"NONE\"]").Service.Health);
        Assert.Null(One("image: busybox:1.36\nhealthcheck:\n  disable: true\n  test: [\"CMD\", \"true\"]").Service.Health);
    }

    [Fact]
    public void Deploy_replicas_and_limits_are_carried_in_the_manifests_units()
    {
        var (result, service) = One("""
            image: busybox:1.36
            deploy:
              replicas: 3
              resources:
                limits: { cpus: "0.5", memory: 512M, pids: 100 }
                reservations: { memory: 128M }
              update_config: { order: stop-first, parallelism: 2 }
              placement: { constraints: ["node.role == worker"] }
            """);

        Assert.Equal(3, service.Replicas);
        Assert.Equal(500, service.Resources.Cpu!.Value.Millicores);
        Assert.Equal(512L * 1024 * 1024, service.Resources.Memory!.Value.Bytes); // Compose's M is binary
        Assert.Equal(DeployStrategy.Recreate, service.Deploy.Strategy);
        Assert.Contains("512 processes", result.Note("app", "deploy.resources.limits.pids").Reason, StringComparison.Ordinal);
        Assert.Contains("no reservations", result.Note("app", "deploy.resources.reservations").Reason, StringComparison.Ordinal);
        Assert.Contains("swarm target only", result.Note("app", "deploy.placement").Reason, StringComparison.Ordinal);
        Assert.Contains("one replica at a time", result.Note("app", "deploy.update_config.parallelism").Reason, StringComparison.Ordinal);
        Assert.Empty(service.Placement);
    }

    [Fact]
    public void Legacy_limits_user_read_only_and_gvisor_are_carried()
    {
        var (result, service) = One("""
            image: busybox:1.36
            mem_limit: 1g
            cpus: 1.5
            scale: 2
            user: "1000:1000"
            read_only: true
            tmpfs: [/tmp, /run]
            runtime: runsc
            init: true
            """);

        Assert.Equal(1024L * 1024 * 1024, service.Resources.Memory!.Value.Bytes);
        Assert.Equal(1500, service.Resources.Cpu!.Value.Millicores);
        Assert.Equal(2, service.Replicas);
        Assert.Equal("1000:1000", service.User);
        Assert.True(service.ReadOnly);
        Assert.Equal(SandboxKind.Gvisor, service.Sandbox);
        Assert.Equal("/run", Assert.Single(result.Notes("app", "tmpfs")).Value); // /tmp is what readOnly gives
        Assert.Empty(result.Notes("app", "init"));
    }

    [Fact]
    public void Unknown_keys_are_reported_with_a_hint_and_extension_fields_are_noted()
    {
        var (result, _) = One("image: busybox:1.36\nhealtcheck: { test: [\"CMD\", \"true\"] }\nx-note: hello");

        Assert.Contains("not a key of the Compose specification's services; did you mean 'healthcheck'?", result.Note("app", "healtcheck").Reason, StringComparison.Ordinal);
        Assert.Contains("extension field", result.Note("app", "x-note").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_service_key_of_the_compose_specification_is_read_even_when_empty()
    {
        string[] specification =
        [
            "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent", "command", "configs",
            "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares",
            "cpus", "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt",
            "dns_search", "domainname", "entrypoint", "env_file", "environment", "expose", "extends", "external_links", "extra_hosts",
            "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file", "labels", "links",
            "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models", "network_mode",
            "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start", "pre_stop",
            "privileged", "profiles", "provider", "pull_policy", "read_only", "restart", "runtime", "scale", "secrets", "security_opt",
            "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits",
            "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir",
        ];

        // Every key once, with an empty value: none may be taken for an unknown key, and none may break the import.
        var result = Import($"services:\n  app:\n    image: busybox:1.36\n{string.Join("", specification.Where(k => k != "image").Select(k => $"    {k}:\n"))}");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Notes, n => n.Reason.Contains("not a key of the Compose specification", StringComparison.Ordinal));
    }

    [Fact]
    public void A_service_without_an_image_it_can_use_is_left_out_and_its_dependents_told()
    {
        var result = Import("""
            services:
              broken:
                image: "registry.example.com/app:${TAG}"
              web:
                image: busybox:1.36
                depends_on: [broken]
            """);
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal(["web"], manifest.Services.Keys);
        Assert.Contains(result.Notes("broken", "image"), n => n.Reason.Contains("the service is left out", StringComparison.Ordinal));
        Assert.Contains("broken is left out", result.Note("web", "depends_on").Reason, StringComparison.Ordinal);
        Assert.Empty(manifest.Services["web"].DependsOn);
    }

    [Fact]
    public void Build_contexts_are_rebased_onto_the_directory_paas_yaml_is_written_in()
    {
        var result = Import("services:\n  web:\n    build: { context: ./web, dockerfile: docker/Dockerfile, args: { VERSION: \"1.2\" }, target: prod, network: none }\n",
            new ComposeImportOptions { ComposeDirectory = "deploy/compose" });
        var build = ComposeFixtures.Manifest(result).Services["web"].Build!;

        Assert.Equal("deploy/compose/web", build.Context);
        Assert.Equal("docker/Dockerfile", build.Dockerfile);
        Assert.Equal("1.2", build.Args["VERSION"]);
        Assert.Equal("prod", build.Target);
        Assert.Equal(BuildNetwork.None, build.Network);
    }

    [Fact]
    public void A_build_from_outside_the_repository_or_a_git_url_is_not_carried()
    {
        var result = Import("""
            services:
              up:
                build: ../elsewhere
                image: registry.example.com/up:1
              remote:
                build: https://github.com/example/app.git
            """);
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal("registry.example.com/up:1", manifest.Services["up"].Image); // the image Compose tagged is the fallback
        Assert.Contains("outside the directory", result.Note("up", "build.context").Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("remote", manifest.Services.Keys);
    }

    [Theory]
    [InlineData("services:\n  web:\n    image: [unclosed\n", 4, 1)]
    [InlineData("services:\n  web:\n    image: a\n    image: b\n", 4, 5)]
    [InlineData("services:\n  web: !reset null\n", 2, 8)]
    public void Malformed_yaml_is_an_error_at_its_line_and_column(string compose, int line, int column)
    {
        var result = Import(compose);

        Assert.False(result.Succeeded);
        Assert.Null(result.Manifest);
        var error = Assert.Single(result.Errors);
        Assert.Equal(new SourceLocation("compose.yaml", line, column), error.Location);
    }

    [Fact]
    public void A_file_without_services_is_an_error()
    {
        var result = Import("version: \"3\"\nvolumes: { data: {} }\n");

        Assert.Contains("lists no services", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "My App_2", "my-app-2")]
    [InlineData(null, "2048", "p-2048")]
    [InlineData("chosen", "whatever", "chosen")]
    public void The_project_is_the_asked_name_or_the_directory_name_made_a_dns_label(string? asked, string directory, string expected)
    {
        var result = Import("services:\n  web:\n    image: busybox:1.36\n", new ComposeImportOptions { Project = asked, FallbackProject = directory });

        Assert.Equal(expected, ComposeFixtures.Manifest(result).Project);
    }

    [Fact]
    public void Odd_values_everywhere_are_noted_and_the_result_still_validates()
    {
        var result = Import("""
            services:
              "Web App":
                image: busybox:1.36
                command: []
                user: "Bad User"
                ports: ["notaport", "70000:80", { published: 8080 }]
                expose: ["x"]
                environment: ["my.var=1", "OK=1", "OK=2"]
                healthcheck: { test: ["CMD", ""], interval: 0s, retries: 500 }
                volumes: ["data:relative", "data:/", "../up:/x"]
                deploy: { replicas: 5000, resources: { limits: { memory: 1k, cpus: "0.001" } } }
                depends_on: ["Web App"]
                labels: { "traefik.http.routers.x.rule": "Host(`NOT A DOMAIN`)" }
                build: { context: /abs }
              db_1:
                image: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
              db-1:
                image: busybox:1.36
            volumes:
              "___": {}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors) + "\n" + result.Manifest);
        var manifest = ComposeFixtures.Manifest(result);
        Assert.Equal(["db-1", "web-app"], manifest.Services.Keys.Order(StringComparer.Ordinal)); // db-1 keeps its name; db_1 is left out
        Assert.Contains(result.Notes, n => n.Service == "db_1" && n.Reason.Contains("image id", StringComparison.Ordinal));
        Assert.Contains("cannot wait for itself", result.Note("Web App", "depends_on").Reason, StringComparison.Ordinal);
        Assert.Contains("not a port number", result.Note("Web App", "expose").Reason, StringComparison.Ordinal);
        Assert.Contains("no host paas.yaml takes as a domain", result.Note("Web App", "labels.traefik.http.routers.x.rule").Reason, StringComparison.Ordinal);
        Assert.Contains("empty argument", result.Note("Web App", "healthcheck.test").Reason, StringComparison.Ordinal);
        Assert.Null(manifest.Services["web-app"].Health);
        Assert.Null(manifest.Services["web-app"].User);
        Assert.Empty(manifest.Services["web-app"].Volumes);
    }

    [Fact]
    public void Importing_twice_writes_the_same_text()
    {
        var first = ComposeFixtures.Import("sentry");
        var second = ComposeFixtures.Import("sentry");

        Assert.Equal(first.Manifest, second.Manifest);
    }
}
