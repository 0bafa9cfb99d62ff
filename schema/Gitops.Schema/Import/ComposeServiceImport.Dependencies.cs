using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>depends_on and links → dependsOn.</summary>
internal sealed partial class ComposeServiceImport
{
    private void Dependencies()
    {
        if (Get("depends_on") is { } node)
        {
            switch (node)
            {
                case YSequence list:
                    foreach (var item in list.Items)
                    {
                        if (Text("depends_on", item) is { } name)
                        {
                            _service.DependsOn.Add((name, item));
                        }
                    }

                    break;
                case YMapping map:
                    foreach (var entry in map.Entries)
                    {
                        Dependency(entry.Key.Value, entry.Key, entry.Value);
                    }

                    break;
                default:
                    Drop("depends_on", node, "expected a list of services or a mapping of service: { condition }");
                    break;
            }
        }

        if (Get("links") is YSequence links)
        {
            foreach (var item in links.Items)
            {
                if (Text("links", item) is not { } link)
                {
                    continue;
                }

                var parts = link.Split(':');
                _service.DependsOn.Add((parts[0], item));
                if (parts.Length > 1 && parts[1] != parts[0])
                {
                    Drop("links", item, $"the alias {parts[1]}: the service is reached by its name, {parts[0]} (a link still makes it a dependency)");
                }
            }
        }
        else if (Get("links") is { } other)
        {
            Drop("links", other, "expected a list of services");
        }
    }

    private void Dependency(string name, YNode at, YNode options)
    {
        var condition = "service_started";
        if (options is YMapping map)
        {
            foreach (var entry in map.Entries)
            {
                var value = Text($"depends_on.{name}.{entry.Key.Value}", entry.Value);
                switch (entry.Key.Value)
                {
                    case "condition":
                        condition = value ?? condition;
                        break;
                    case "restart" when value is not null && ComposeUnits.Boolean(value) == true:
                        Drop($"depends_on.{name}.restart", entry.Value, $"paas does not restart this service when {name} is replaced");
                        break;
                    case "required" when value is not null && ComposeUnits.Boolean(value) == false:
                        Change($"depends_on.{name}.required", entry.Value, $"{name} is a dependency like any other: paas.yaml has no optional ones");
                        break;
                    case "restart" or "required":
                        break;
                    default:
                        Drop($"depends_on.{name}.{entry.Key.Value}", entry.Value, $"'{entry.Key.Value}' is not a key of Compose's depends_on");
                        break;
                }
            }
        }

        switch (condition)
        {
            case "service_completed_successfully":
                Drop($"depends_on.{name}", at, $"{name} is a run-once job here, and paas.yaml's services run until stopped (paas restarts them): run the job from this service's entrypoint before it starts, or as a cron");
                return;
            case "service_started" or "service_healthy":
                _service.DependsOn.Add((name, at));
                return;
            default:
                Drop($"depends_on.{name}.condition", options, "expected service_started, service_healthy or service_completed_successfully");
                _service.DependsOn.Add((name, at));
                return;
        }
    }
}
