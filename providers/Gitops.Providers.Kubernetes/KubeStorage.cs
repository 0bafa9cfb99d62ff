using System.Text;
using Gitops.Engine.Desired;
using Gitops.Engine.Secrets;
using k8s.Models;

namespace Gitops.Providers.Kubernetes;

/// <summary>A volume as a PersistentVolumeClaim, and a service's secret values as one Secret.</summary>
public static class KubeStorage
{
    /// <summary>The size a claim asks for: the manifest names volumes, not sizes (resize it on the cluster when more is needed).</summary>
    public const string ClaimSize = "1Gi";

    public static V1PersistentVolumeClaim Claim(KubeScope scope, string volume)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var key = KubeNames.VolumeKey(volume);
        var labels = KubeLabels.Environment(scope.Project, scope.Environment);
        labels["paas.volume"] = key;
        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta { Name = KubeNames.Claim(scope, key), NamespaceProperty = scope.Namespace, Labels = labels },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(ClaimSize) } },
            },
        };
    }

    /// <summary>The values only ever travel in this object's <c>data</c>: never in a plan, the state, an annotation or a log.</summary>
    public static V1Secret Secret(KubeScope scope, DesiredService service, SecretValues values)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(values);
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta { Name = KubeNames.Secret(scope, service), NamespaceProperty = scope.Namespace, Labels = KubeLabels.Service(scope.Project, scope.Environment, service.Name) },
            Data = values.Reveal().ToDictionary(v => v.Key, v => Encoding.UTF8.GetBytes(v.Value), StringComparer.Ordinal),
        };
    }
}
