using Gitops.Schema.Model;

namespace Gitops.Engine.Desired;

/// <summary>A public service's route: the host names it answers on, and the port of its replicas.</summary>
public sealed record DesiredRoute(string Id, string Service, ValueList<string> Domains, int Port)
{
    /// <summary>Route ids are <c>paas.project.env.service</c>: dots cannot occur in names, so ids of different environments never collide.</summary>
    public static string IdOf(string project, string environment, string service) => $"paas.{project}.{environment}.{service}";

    public static string Prefix(string project, string environment) => $"paas.{project}.{environment}.";
}
