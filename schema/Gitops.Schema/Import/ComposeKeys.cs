namespace Gitops.Schema.Import;

/// <summary>
/// Service keys of the Compose specification that paas.yaml has no equivalent for, each with why.
/// The keys read by <see cref="ComposeServiceImport"/> itself are not here; a key in neither is
/// reported as not a Compose key.
/// </summary>
internal static class ComposeKeys
{
    public const string SharedNetwork = "every service of a project joins the project's one network and reaches the others by their service name (allowFrom limits who may connect)";

    public const string HostNamespace = "host namespaces are refused by the container policy: a container sharing the host's would see and signal its processes (docs/security.md)";

    public static readonly IReadOnlyDictionary<string, string> Unsupported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["privileged"] = "paas never runs a privileged container: it would own the host (refused by the container policy, docs/security.md)",
        ["devices"] = "paas gives containers no host devices (refused by the container policy)",
        ["device_cgroup_rules"] = "paas gives containers no host devices (refused by the container policy)",
        ["gpus"] = "paas gives containers no host devices, GPUs included (refused by the container policy)",
        ["use_api_socket"] = "it hands the container the engine's API, which controls every container of the host (refused by the container policy)",
        ["userns_mode"] = HostNamespace,
        ["uts"] = HostNamespace,
        ["cgroup"] = HostNamespace,
        ["cgroup_parent"] = "replicas run in the engine's cgroups; paas.yaml limits them with resources.cpu and resources.memory",
        ["sysctls"] = "paas sets no kernel parameters per container; set them on the host if the app needs them",
        ["ulimits"] = "paas.yaml has no per-service ulimits: containers get the engine's defaults and at most 512 processes",
        ["pids_limit"] = "every container is limited to 512 processes; paas.yaml does not change it",
        ["shm_size"] = "paas.yaml has no /dev/shm size: containers get the engine's default (64M)",
        ["extra_hosts"] = "paas.yaml has no host entries: services reach each other by service name, anything else by its DNS name",
        ["dns"] = "containers use the engine's resolver, which knows the project's service names",
        ["dns_search"] = "containers use the engine's resolver, which knows the project's service names",
        ["dns_opt"] = "containers use the engine's resolver, which knows the project's service names",
        ["hostname"] = "a replica's host name is <service>-<n>; the project's other services reach it by the service name",
        ["domainname"] = "a replica's host name is <service>-<n>; the project's other services reach it by the service name",
        ["container_name"] = "paas names containers itself (paas-<project>-<env>-<service>-<n>); the project's other services reach it by the service name",
        ["mac_address"] = "paas.yaml does not fix MAC addresses",
        ["networks"] = SharedNetwork,
        ["external_links"] = "a project's services reach only that project's services",
        ["label_file"] = "paas sets its own labels (project, environment, service) and carries no others",
        ["annotations"] = "paas.yaml has no annotations",
        ["logging"] = "paas keeps each replica's output itself (paas logs SERVICE) and ships it to the drains platform.yaml declares",
        ["stop_grace_period"] = "paas stops a replica with SIGTERM and the engine's grace time; deploy.drain is how long an old replica keeps serving after it leaves the load balancer, not this",
        ["stop_signal"] = "paas stops replicas with SIGTERM",
        ["working_dir"] = "paas.yaml has no working directory: set WORKDIR in the image's Dockerfile",
        ["tty"] = "replicas run without a terminal (paas exec gives you one when yours is one)",
        ["stdin_open"] = "replicas run without standard input (paas exec pipes yours in)",
        ["attach"] = "paas always collects a replica's output (paas logs SERVICE)",
        ["platform"] = "images are built and pulled for the engine's own platform",
        ["pull_policy"] = "paas pulls an image the engine lacks and builds what build: names; paas.yaml has no pull policy",
        ["extends"] = "paas import does not follow extends: copy the keys of the service it extends into this one",
        ["volumes_from"] = "a container never mounts another container's volumes (refused by the container policy): name the volume in both services' volumes",
        ["isolation"] = "Windows container isolation does not apply to the Linux engines paas drives",
        ["credential_spec"] = "Windows credential specs do not apply to the Linux engines paas drives",
        ["group_add"] = "paas.yaml has no supplementary groups; user: takes UID:GID",
        ["oom_kill_disable"] = "paas.yaml has no OOM tuning: a replica over its memory limit is killed and restarted",
        ["oom_score_adj"] = "paas.yaml has no OOM tuning: a replica over its memory limit is killed and restarted",
        ["mem_reservation"] = "paas.yaml has limits only (resources.memory), no reservations",
        ["memswap_limit"] = "paas gives a replica no swap beyond its memory limit",
        ["mem_swappiness"] = "paas gives a replica no swap beyond its memory limit",
        ["cpu_shares"] = "paas.yaml limits CPU with resources.cpu only",
        ["cpu_quota"] = "paas.yaml limits CPU with resources.cpu only",
        ["cpu_period"] = "paas.yaml limits CPU with resources.cpu only",
        ["cpuset"] = "paas.yaml limits CPU with resources.cpu only",
        ["cpu_count"] = "paas.yaml limits CPU with resources.cpu only",
        ["cpu_percent"] = "paas.yaml limits CPU with resources.cpu only",
        ["cpu_rt_runtime"] = "paas.yaml limits CPU with resources.cpu only",
        ["cpu_rt_period"] = "paas.yaml limits CPU with resources.cpu only",
        ["blkio_config"] = "paas.yaml has no block I/O limits",
        ["storage_opt"] = "paas.yaml has no storage driver options",
        ["configs"] = "Compose configs are files mounted into the container: bake them into the image (COPY in a Dockerfile), or give the values as env",
        ["develop"] = "Compose watch is a development loop; paas deploys what Git holds",
        ["post_start"] = "paas.yaml has no lifecycle hooks: run it from the image's entrypoint",
        ["pre_stop"] = "paas.yaml has no lifecycle hooks: handle SIGTERM in the app",
        ["models"] = "paas.yaml has no model runners",
        ["provider"] = "paas.yaml has no Compose providers",
    };

    /// <summary>Keys <see cref="ComposeServiceImport"/> reads itself, in the order it reads them.</summary>
    public static readonly IReadOnlyList<string> Read =
    [
        "image", "build", "entrypoint", "command", "environment", "env_file", "ports", "expose", "labels",
        "healthcheck", "volumes", "tmpfs", "read_only", "depends_on", "links", "user", "deploy", "scale",
        "restart", "mem_limit", "cpus", "runtime", "init", "cap_add", "cap_drop", "security_opt",
        "network_mode", "pid", "ipc", "secrets", "profiles",
    ];
}
