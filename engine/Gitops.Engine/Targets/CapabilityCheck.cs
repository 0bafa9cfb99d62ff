using Gitops.Engine.Desired;
using Gitops.Schema.Model;

namespace Gitops.Engine.Targets;

/// <summary>
/// What a manifest asks of its target that the target cannot do (<see cref="TargetCapabilities"/>):
/// refused before anything is built or runs, naming the field, never silently left out.
/// </summary>
public static partial class CapabilityCheck
{
    public static IReadOnlyList<string> Refusals(DesiredState desired, ITargetDriver target)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(target);
        var can = target.Capabilities;
        var refusals = new List<string>();
        foreach (var service in desired.Services)
        {
            var spec = service.Spec;
            if (spec.Mounts.Count > 0 && !can.Volumes)
            {
                refusals.Add(Refusal(service, "volumes", "mounts volumes", target));
            }

            if (spec.Secrets.Count > 0 && !can.Secrets)
            {
                refusals.Add(Refusal(service, "secrets", "needs secrets", target));
            }

            if (spec.SecretFrom is { Count: > 0 } from && can.SecretsAsFiles)
            {
                refusals.Add($"services.{service.Name}: it receives {string.Join(", ", from.Keys)} from a template service, and a {target.Kind} target gives secrets as files while the template's images read variables; deploy template services to a docker, podman or kubernetes target");
            }

            if (spec.User is { } user && !can.UserNames && !UserIds().IsMatch(user))
            {
                refusals.Add($"services.{service.Name}.user: a {target.Kind} target runs processes as numeric ids only; give UID or UID:GID instead of '{user}'");
            }

            if (spec.Placement is { Count: > 0 } && !can.Placement)
            {
                refusals.Add(Refusal(service, "placement", "asks to be placed on particular nodes", target));
            }

            if (service.Extras.Autoscale is { } autoscale && !can.Autoscaling)
            {
                refusals.Add(Refusal(service, "autoscale", FormattableString.Invariant($"asks to scale between {autoscale.Min} and {autoscale.Max} replicas by load"), target));
            }
            else if (service.Extras.Autoscale is { } measured && (measured.Rps ?? measured.P95Ms) is not null && !can.ScalesItself && desired.RouteOf(service.Name) is null)
            {
                // The platform's autoscaler counts requests at the platform's ingress: without one it would never see any.
                refusals.Add($"services.{service.Name}.autoscale.{(measured.Rps is not null ? "rps" : "p95Ms")}: requests are counted at the platform's ingress, and this platform has none (ingress: in platform.yaml); scale on cpu or memory, or add an ingress");
            }

            if (service.MaxSurge is { } surge && can.Rollout == RolloutOwner.Platform)
            {
                // The platform's own rollout starts every new replica, each health checked, before an old one stops.
                refusals.Add($"services.{service.Name}.deploy.maxSurge: on a {target.Kind} target every new replica starts and passes its health check before an old one stops, so all {service.Replicas} run beside the old ones; remove maxSurge: {surge} (swarm and kubernetes targets honour it)");
            }

            if (service.Extras.AllowFrom.Count > 0 && !can.AllowFrom)
            {
                refusals.Add(Refusal(service, "allowFrom", "accepts connections only from the services it lists", target));
            }

            foreach (var cron in service.Extras.Crons.Where(_ => !can.ScheduledJobs && !can.Jobs))
            {
                refusals.Add($"crons.{cron.Name}: this environment's target (kind {target.Kind}) can neither schedule jobs nor run the one-off containers the platform's scheduler starts, so the cron would never run; deploy it to a docker, podman or kubernetes target, or remove it");
            }

            if (service.Extras.Backup is { Volumes.Count: > 0 } && target is not IVolumeArchiver)
            {
                refusals.Add($"services.{service.Name}.backup: a volume backup stops the service and copies its volumes with a helper container, which paas does on docker and podman targets only; a {target.Kind} target's volumes need its own snapshots, so remove backup: from '{service.Name}' or deploy it to a docker or podman target");
            }

            if (spec.Sandbox != SandboxKind.None && !can.Sandbox)
            {
                refusals.Add(Refusal(service, "sandbox", $"asks for the {spec.Sandbox.ToString().ToLowerInvariant()} sandbox", target));
            }
        }

        return refusals;
    }

    private static string Refusal(DesiredService service, string field, string what, ITargetDriver target) =>
        $"services.{service.Name}.{field}: {service.Name} {what}, which this environment's target (kind {target.Kind}) cannot do; deploy it to a target that can, or remove the field";

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]+(:[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex UserIds();
}
