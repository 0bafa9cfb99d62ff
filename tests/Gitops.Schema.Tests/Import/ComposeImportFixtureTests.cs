using Gitops.Schema.Import;
using Gitops.Schema.Model;

namespace Gitops.Schema.Tests.Import;

/// <summary>
/// Compose files shaped like popular projects' published ones (tests/Compose): each imports into
/// a paas.yaml that validates, and the mapping and notes a user would notice are there.
/// </summary>
public sealed class ComposeImportFixtureTests
{
    public static TheoryData<string> Fixtures() => new(ComposeFixtures.Names());

    [Fact]
    public void There_are_at_least_ten_compose_files_to_import()
    {
        Assert.True(ComposeFixtures.Names().Count() >= 10, string.Join(", ", ComposeFixtures.Names()));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Imported_manifest_validates_and_every_compose_service_is_carried_or_explained(string fixture)
    {
        var result = ComposeFixtures.Import(fixture);

        var manifest = ComposeFixtures.Manifest(result);
        Assert.Equal(result.Services.Order(StringComparer.Ordinal), manifest.Services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["production"], manifest.Environments.Keys);
        Assert.Equal("local", manifest.Environments["production"].Target);
        Assert.All(result.Notes, n => Assert.False(string.IsNullOrWhiteSpace(n.Reason)));
        Assert.All(result.Notes, n => Assert.True(n.Location.Line >= 1, n.ToString()));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Imported_manifest_says_what_was_not_carried_in_its_comments(string fixture)
    {
        var result = ComposeFixtures.Import(fixture);

        foreach (var note in result.Notes)
        {
            Assert.Contains(note.Reason.ReplaceLineEndings(" "), result.Manifest!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Wordpress_publishes_the_site_keeps_the_database_private_and_carries_its_health_check()
    {
        var result = ComposeFixtures.Import("wordpress");
        var manifest = ComposeFixtures.Manifest(result);

        var site = manifest.Services["wordpress"];
        Assert.Equal("wordpress:6.5-apache", site.Image);
        Assert.Equal(80, site.Port);
        Assert.True(site.Public);
        Assert.Equal(["db"], site.DependsOn);
        Assert.Equal("/var/www/html", site.Volumes["wp-data"]);
        var db = manifest.Services["db"];
        Assert.False(db.Public);
        Assert.Equal(3306, db.Port); // the first of expose
        Assert.Equal(["healthcheck.sh", "--connect", "--innodb_initialized"], db.Health!.Command);
        Assert.Equal(TimeSpan.FromSeconds(10), db.Health.Interval.Value);
        Assert.Equal(TimeSpan.FromSeconds(5), db.Health.Timeout.Value);
        Assert.Equal(TimeSpan.FromSeconds(10), db.Health.StartPeriod.Value);
        Assert.Equal(["--default-authentication-plugin=mysql_native_password"], db.Command);
        Assert.Equal("999:999", db.User);
        Assert.Equal(DeployStrategy.Recreate, db.Deploy.Strategy);
        Assert.Equal("somewordpress", db.Env["MYSQL_ROOT_PASSWORD"]);
        Assert.Contains("public: true", result.Note("wordpress", "ports").Reason, StringComparison.Ordinal);
        Assert.Contains("named db-data", result.Note("", "volumes.db_data").Reason, StringComparison.Ordinal);
        Assert.Contains("MYSQL_ROOT_PASSWORD: \"somewordpress\"  # in clear text in Git", result.Manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Gitea_bind_mounts_and_the_ssh_port_are_noted_with_their_paths()
    {
        var result = ComposeFixtures.Import("gitea");
        var manifest = ComposeFixtures.Manifest(result);

        var server = manifest.Services["server"];
        Assert.Equal(3000, server.Port);
        Assert.True(server.Public);
        Assert.Empty(server.Volumes);
        Assert.Equal("postgres", server.Env["GITEA__database__DB_TYPE"]);
        Assert.Equal("1000", server.Env["USER_UID"]);
        var mounts = result.Notes("server", "volumes").Select(n => n.ToString()).ToList();
        Assert.Contains(mounts, m => m.Contains("./gitea:/data is not carried over: ./gitea is a path on the host: paas never mounts host paths", StringComparison.Ordinal));
        Assert.Contains(mounts, m => m.Contains("/etc/localtime", StringComparison.Ordinal));
        Assert.Contains(result.Notes("server", "ports"), n => n.Kind == ComposeNoteKind.NotCarried && n.Reason.Contains("22 (SSH)", StringComparison.Ordinal));
        Assert.Contains("paas names containers itself", result.Note("server", "container_name").Reason, StringComparison.Ordinal);
        Assert.Contains("obsolete", result.Note("", "version").Reason, StringComparison.Ordinal);
        Assert.Contains("./postgres", result.Note("db", "volumes").Value, StringComparison.Ordinal);
        Assert.Null(manifest.Services["db"].User); // no volume is carried, so the root entrypoint can run
    }

    [Fact]
    public void Nextcloud_env_file_names_become_secrets_and_the_cron_entrypoint_becomes_its_command()
    {
        var result = ComposeFixtures.Import("nextcloud");
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal(["POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_USER"], manifest.Services["app"].Secrets);
        Assert.Equal(["POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_USER"], manifest.Services["db"].Secrets);
        Assert.Equal("db", manifest.Services["app"].Env["POSTGRES_HOST"]);
        Assert.False(manifest.Services["app"].Env.ContainsKey("POSTGRES_USER")); // db.env's values stay out of paas.yaml
        Assert.DoesNotContain("POSTGRES_USER: ", result.Manifest, StringComparison.Ordinal);
        Assert.Equal(["/cron.sh"], manifest.Services["cron"].Command);
        Assert.Contains("ENTRYPOINT", result.Note("cron", "entrypoint").Reason, StringComparison.Ordinal);
        Assert.Equal("/var/www/html", manifest.Services["cron"].Volumes["nextcloud"]); // shared with app, as in Compose
        Assert.Equal("/var/www/html", manifest.Services["app"].Volumes["nextcloud"]);
        Assert.Equal("70:70", manifest.Services["db"].User); // postgres alpine's user
        Assert.Contains((Service: "app", Name: "POSTGRES_PASSWORD"), result.Secrets);
    }

    [Fact]
    public void Plausible_services_are_renamed_to_dns_labels_and_a_loopback_port_stays_private()
    {
        var result = ComposeFixtures.Import("plausible");
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal(["mail", "plausible", "plausible-db", "plausible-events-db"], manifest.Services.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("renamed plausible-db", result.Note("plausible_db", "services").Reason, StringComparison.Ordinal);
        var app = manifest.Services["plausible"];
        Assert.Equal(["plausible-db", "plausible-events-db"], app.DependsOn);
        Assert.Equal(8000, app.Port);
        Assert.False(app.Public);
        Assert.Contains("127.0.0.1 only", result.Note("plausible", "ports").Reason, StringComparison.Ordinal);
        Assert.Equal(["sh", "-c", "sleep 10 && /entrypoint.sh db createdb && /entrypoint.sh db migrate && /entrypoint.sh run"], app.Command);
        Assert.Equal(["BASE_URL", "SECRET_KEY_BASE", "TOTP_VAULT_KEY", "DISABLE_REGISTRATION"], app.Secrets);
        var events = manifest.Services["plausible-events-db"];
        Assert.Null(events.Health!.Command);
        Assert.Equal("/ping", events.Health.Path);
        Assert.Equal(8123, events.Health.Port);
        Assert.Equal(TimeSpan.FromMinutes(1), events.Health.StartPeriod.Value);
        Assert.Contains("no per-service ulimits", result.Note("plausible_events_db", "ulimits").Reason, StringComparison.Ordinal);
        Assert.Contains(result.Notes("plausible_events_db", "volumes"), n => n.Value!.Contains("./clickhouse/logs.xml", StringComparison.Ordinal));
    }

    [Fact]
    public void Umami_curl_check_becomes_an_http_check_and_an_escaped_dollar_reaches_the_shell()
    {
        var result = ComposeFixtures.Import("umami");
        var manifest = ComposeFixtures.Manifest(result);

        var app = manifest.Services["umami"];
        Assert.Equal("/api/heartbeat", app.Health!.Path);
        Assert.Null(app.Health.Command);
        Assert.Null(app.Health.Port); // the service's own
        Assert.Equal(5, app.Health.Retries);
        Assert.Contains("needs no curl", result.Note("umami", "healthcheck.test").Reason, StringComparison.Ordinal);
        Assert.Equal(["/bin/sh", "-c", "pg_isready -U ${POSTGRES_USER} -d ${POSTGRES_DB}"], manifest.Services["db"].Health!.Command);
        Assert.Equal("postgresql://umami:umami@db:5432/umami", app.Env["DATABASE_URL"]);
    }

    [Fact]
    public void N8n_values_compose_reads_from_the_shell_become_secrets_and_defaults_are_written()
    {
        var result = ComposeFixtures.Import("n8n");
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal(["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_NON_ROOT_USER", "POSTGRES_NON_ROOT_PASSWORD"], manifest.Services["postgres"].Secrets);
        var n8n = manifest.Services["n8n"];
        Assert.Equal(["DB_POSTGRESDB_DATABASE", "DB_POSTGRESDB_USER", "DB_POSTGRESDB_PASSWORD"], n8n.Secrets);
        Assert.Contains("${POSTGRES_NON_ROOT_PASSWORD}", result.Note("n8n", "environment.DB_POSTGRESDB_PASSWORD").Reason, StringComparison.Ordinal);
        Assert.Equal("n8n.example.com", n8n.Env["N8N_HOST"]);
        Assert.Equal("Europe/Berlin", n8n.Env["GENERIC_TIMEZONE"]);
        Assert.Contains("written as \"n8n.example.com\"", result.Note("n8n", "environment.N8N_HOST").Reason, StringComparison.Ordinal);
        Assert.Null(manifest.Services["postgres"].Health); // its test needs ${POSTGRES_USER}
        Assert.Contains("${POSTGRES_USER}", result.Note("postgres", "healthcheck.test").Reason, StringComparison.Ordinal);
        Assert.Equal(["postgres"], n8n.DependsOn); // links and depends_on name it once
        Assert.Contains(result.Notes("postgres", "volumes"), n => n.Value!.Contains("./init-data.sh", StringComparison.Ordinal));
    }

    [Fact]
    public void Mastodon_builds_win_over_image_names_and_its_networks_and_bind_mounts_are_noted()
    {
        var result = ComposeFixtures.Import("mastodon");
        var manifest = ComposeFixtures.Manifest(result);

        var web = manifest.Services["web"];
        Assert.Equal(".", web.Build!.Context);
        Assert.Null(web.Image);
        Assert.Contains("names its builds itself", result.Note("web", "image").Reason, StringComparison.Ordinal);
        Assert.Equal(["bundle", "exec", "puma", "-C", "config/puma.rb"], web.Command);
        Assert.Equal("/health", web.Health!.Path);
        Assert.False(web.Public);
        Assert.Equal("/api/v1/streaming/health", manifest.Services["streaming"].Health!.Path);
        Assert.Equal(["/bin/sh", "-c", "ps aux | grep '[s]idekiq 6' || false"], manifest.Services["sidekiq"].Health!.Command);
        Assert.Equal(["pg_isready", "-U", "postgres"], manifest.Services["db"].Health!.Command);
        Assert.Contains("internal", result.Note("", "networks").Reason, StringComparison.Ordinal);
        Assert.Contains("/dev/shm", result.Note("db", "shm_size").Reason, StringComparison.Ordinal);
        Assert.Contains("SECRET_KEY_BASE", web.Secrets);
    }

    [Fact]
    public void Ghost_routes_the_container_port_and_not_the_host_port()
    {
        var result = ComposeFixtures.Import("ghost");
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal(2368, manifest.Services["ghost"].Port);
        Assert.True(manifest.Services["ghost"].Public);
        Assert.Contains("host's port 8080", result.Note("ghost", "ports").Reason, StringComparison.Ordinal);
        Assert.Equal("mysql", manifest.Services["ghost"].Env["database__client"]);
        Assert.Equal("999:999", manifest.Services["db"].User);
    }

    [Fact]
    public void Minio_anchors_and_merge_keys_are_followed_and_the_extension_field_is_noted()
    {
        var result = ComposeFixtures.Import("minio");
        var manifest = ComposeFixtures.Manifest(result);

        foreach (var node in new[] { "minio1", "minio2" })
        {
            var minio = manifest.Services[node];
            Assert.Equal("quay.io/minio/minio:RELEASE.2024-05-10T01-41-38Z", minio.Image);
            Assert.Equal(["server", "--console-address", ":9001", "http://minio{1...2}/data{1...2}"], minio.Command);
            Assert.Equal(["mc", "ready", "local"], minio.Health!.Command);
            Assert.Equal(9000, minio.Port);
            Assert.Equal("minioadmin", minio.Env["MINIO_ROOT_USER"]);
            Assert.Contains("<service>-<n>", result.Note(node, "hostname").Reason, StringComparison.Ordinal);
        }

        Assert.Equal(["/data1", "/data2"], manifest.Services["minio2"].Volumes.Values);
        Assert.Contains("x-minio-common", result.Notes.Single(n => n.Service.Length == 0 && n.Key.StartsWith("x-", StringComparison.Ordinal)).Key, StringComparison.Ordinal);
        Assert.Contains(result.Notes("nginx", "ports"), n => n.Value == "\"9001:9001\"" && n.Reason.Contains("one port per service (port: 9000)", StringComparison.Ordinal));
    }

    [Fact]
    public void Traefik_docker_socket_is_refused_and_host_rules_become_domains()
    {
        var result = ComposeFixtures.Import("traefik-whoami");
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Empty(manifest.Services["reverse-proxy"].Volumes);
        Assert.Contains("the engine's API", result.Note("reverse-proxy", "volumes").Reason, StringComparison.Ordinal);
        Assert.Equal(["--api.insecure=true", "--providers.docker"], manifest.Services["reverse-proxy"].Command);
        var whoami = manifest.Services["whoami"];
        Assert.Equal(["whoami.docker.localhost"], whoami.Domains);
        Assert.True(whoami.Public);
        Assert.Equal(80, whoami.Port);
        Assert.Contains("port: 80 is assumed", result.Note("whoami", "labels").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sentry_defaults_through_anchors_external_volumes_and_entrypoints_are_carried_or_noted()
    {
        var result = ComposeFixtures.Import("sentry");
        var manifest = ComposeFixtures.Manifest(result);

        var web = manifest.Services["web"];
        Assert.Equal("sentry", web.Build!.Context);
        Assert.Equal(["/etc/sentry/entrypoint.sh", "run", "web"], web.Command);
        Assert.Equal(["/etc/sentry/entrypoint.sh", "run", "cron"], manifest.Services["cron"].Command);
        Assert.Equal(["redis", "postgres", "memcached", "smtp"], web.DependsOn);
        Assert.Equal("/_health/", web.Health!.Path);
        Assert.Equal(9000, web.Health.Port);
        Assert.Equal(["SENTRY_EVENT_RETENTION_DAYS", "SENTRY_MAIL_HOST"], web.Secrets);
        Assert.Equal("/etc/ssl/certs/ca-certificates.crt", web.Env["REQUESTS_CA_BUNDLE"]); // an alias of a scalar
        Assert.Contains("${HEALTHCHECK_INTERVAL}", result.Note("web", "healthcheck.interval").Reason, StringComparison.Ordinal);
        Assert.Contains("SENTRY_IMAGE", result.Note("web", "build.args").Reason, StringComparison.Ordinal);
        Assert.Contains("empty at first", result.Note("", "volumes.sentry-data.external").Reason, StringComparison.Ordinal);
        Assert.Equal(["postgres", "-c", "max_connections=100"], manifest.Services["postgres"].Command);
        Assert.Equal(["/bin/sh", "-c", "echo stats | nc 127.0.0.1 11211"], manifest.Services["memcached"].Health!.Command);
        var nginx = manifest.Services["nginx"];
        Assert.Null(nginx.Port); // its only port needs ${SENTRY_BIND}
        Assert.Contains("${SENTRY_BIND}", result.Note("nginx", "ports").Reason, StringComparison.Ordinal);
        Assert.Contains("./nginx", result.Note("nginx", "volumes").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Immich_project_comes_from_compose_name_and_variable_host_paths_are_not_mounted()
    {
        var result = ComposeFixtures.Import("immich");
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal("immich", manifest.Project);
        Assert.Equal("ghcr.io/immich-app/immich-server:release", manifest.Services["immich-server"].Image);
        Assert.Contains("${UPLOAD_LOCATION}", result.Notes("immich-server", "volumes").First().Reason, StringComparison.Ordinal);
        Assert.Empty(manifest.Services["immich-server"].Volumes);
        Assert.Equal("/cache", manifest.Services["immich-machine-learning"].Volumes["model-cache"]);
        var database = manifest.Services["database"];
        Assert.Equal(["POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB"], database.Secrets);
        Assert.Contains("search_path=\"$user\", public, vectors", database.Command!);
        Assert.Equal(TimeSpan.FromMinutes(5), database.Health!.Interval.Value);
        Assert.Contains("150 ms", result.Note("database", "healthcheck.start_interval").Reason, StringComparison.Ordinal);
        Assert.Equal(["redis-cli", "ping"], manifest.Services["redis"].Health!.Command);
        Assert.Contains("substitutes its values for UPLOAD_LOCATION, DB_DATA_LOCATION, IMMICH_VERSION", result.Note("", ".env").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Getting_started_builds_the_app_and_notes_compose_watch()
    {
        var result = ComposeFixtures.Import("getting-started");
        var manifest = ComposeFixtures.Manifest(result);

        Assert.Equal(".", manifest.Services["web"].Build!.Context);
        Assert.Equal(5000, manifest.Services["web"].Port);
        Assert.True(manifest.Services["web"].Public);
        Assert.Equal("redis:alpine", manifest.Services["redis"].Image);
        Assert.Contains("development loop", result.Note("web", "develop").Reason, StringComparison.Ordinal);
    }
}
