using Gitops.Schema.Model;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>deploy, scale, mem_limit, cpus, restart and runtime → replicas, resources, deploy.strategy, sandbox.</summary>
internal sealed partial class ComposeServiceImport
{
    private void Deploy()
    {
        if (Get("deploy") is YMapping deploy)
        {
            foreach (var entry in deploy.Entries)
            {
                DeployKey(entry.Key.Value, entry.Value);
            }
        }
        else if (Get("deploy") is { } other)
        {
            Drop("deploy", other, "expected a mapping");
        }

        if (Get("scale") is { } scale && _service.Replicas is null)
        {
            _service.Replicas = Replicas("scale", scale);
        }

        if (Get("mem_limit") is { } memory && _service.Memory is null)
        {
            _service.Memory = Memory("mem_limit", memory);
        }

        if (Get("cpus") is { } cpus && _service.Cpu is null)
        {
            _service.Cpu = Cpu("cpus", cpus);
        }

        if (Get("restart") is { } restart && Text("restart", restart) is { } policy && policy is not ("always" or "unless-stopped"))
        {
            Change("restart", restart, "paas restarts every replica that stops, unless you stop it (unless-stopped): a run-once job belongs in a cron or the entrypoint of the service that needs it");
        }

        if (Get("runtime") is { } runtime && Text("runtime", runtime) is { } name)
        {
            if (name is "runsc" or "gvisor")
            {
                _service.Gvisor = true;
            }
            else if (name is not ("runc" or "crun"))
            {
                Drop("runtime", runtime, "paas runs replicas with the engine's default runtime, or gVisor with sandbox: gvisor");
            }
        }
    }

    private void DeployKey(string key, YNode value)
    {
        switch (key)
        {
            case "replicas":
                _service.Replicas = Replicas("deploy.replicas", value);
                break;
            case "resources" when value is YMapping resources:
                foreach (var entry in resources.Entries)
                {
                    if (entry.Key.Value == "limits" && entry.Value is YMapping limits)
                    {
                        foreach (var limit in limits.Entries)
                        {
                            switch (limit.Key.Value)
                            {
                                case "cpus":
                                    _service.Cpu = Cpu("deploy.resources.limits.cpus", limit.Value);
                                    break;
                                case "memory":
                                    _service.Memory = Memory("deploy.resources.limits.memory", limit.Value);
                                    break;
                                default:
                                    Drop($"deploy.resources.limits.{limit.Key.Value}", limit.Value, limit.Key.Value == "pids"
                                        ? "every container is limited to 512 processes; paas.yaml does not change it"
                                        : "paas.yaml limits cpu and memory only");
                                    break;
                            }
                        }
                    }
                    else
                    {
                        Drop($"deploy.resources.{entry.Key.Value}", entry.Value, entry.Key.Value == "reservations"
                            ? "paas.yaml has limits only (resources.cpu, resources.memory), no reservations or devices"
                            : "paas.yaml has resources.cpu and resources.memory limits only");
                    }
                }

                break;
            case "update_config" when value is YMapping update:
                foreach (var entry in update.Entries)
                {
                    var text = Text($"deploy.update_config.{entry.Key.Value}", entry.Value);
                    if (entry.Key.Value == "order" && text is "stop-first" or "start-first")
                    {
                        _service.Strategy = text == "stop-first" ? DeployStrategy.Recreate : DeployStrategy.Rolling;
                    }
                    else if (text is not null)
                    {
                        Drop($"deploy.update_config.{entry.Key.Value}", entry.Value, "paas rolls out one replica at a time, each healthy before an old one stops, and rolls back a failed deploy by itself");
                    }
                }

                break;
            case "mode" when value is YScalar mode && Text("deploy.mode", mode) is "replicated" or null:
                break;
            case "restart_policy":
                Change("deploy.restart_policy", value, "paas restarts every replica that stops, unless you stop it");
                break;
            case "placement":
                Drop("deploy.placement", value, "placement applies to a swarm target only, and this file deploys to the local engine: add placement: [\"node.labels.zone == eu\"] when it deploys to a swarm");
                break;
            default:
                Drop($"deploy.{key}", value, key switch
                {
                    "mode" => "paas runs replicas: replicas: or autoscale:, not one per node",
                    "labels" => "paas sets its own labels",
                    "rollback_config" => "paas rolls back a failed deploy by itself, to the replicas that ran",
                    "endpoint_mode" => "the project's other services reach it by its name, which the engine's resolver answers",
                    _ => $"'{key}' is not carried: paas.yaml's deploy has strategy, maxSurge and drain",
                });
                break;
        }
    }

    private int? Replicas(string key, YNode node)
    {
        var text = Text(key, node);
        if (text is not null && ComposeUnits.Integer(text, 0, 1000) is { } replicas)
        {
            return replicas;
        }

        if (text is not null)
        {
            Drop(key, node, "paas.yaml takes 0 to 1000 replicas");
        }

        return null;
    }

    private ByteSize? Memory(string key, YNode node)
    {
        var text = Text(key, node);
        if (text is not null && ComposeUnits.Bytes(text) is { } bytes && bytes.Bytes >= 6 * 1024 * 1024)
        {
            return bytes;
        }

        if (text is not null)
        {
            Drop(key, node, "not a memory size of at least 6m (the smallest limit engines accept); the platform's default (256Mi) applies");
        }

        return null;
    }

    private CpuQuantity? Cpu(string key, YNode node)
    {
        var text = Text(key, node);
        if (text is not null && ComposeUnits.Cpus(text) is { Millicores: >= 10 } cpu)
        {
            return cpu;
        }

        if (text is not null)
        {
            Drop(key, node, "not a CPU amount of at least 0.01");
        }

        return null;
    }
}
