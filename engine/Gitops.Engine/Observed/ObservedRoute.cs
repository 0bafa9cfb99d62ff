using Gitops.Schema.Model;

namespace Gitops.Engine.Observed;

/// <summary>A route the ingress holds for this environment: its host names and the replicas it sends to.</summary>
public sealed record ObservedRoute(string Id, string Service, ValueList<string> Domains, ValueList<string> Upstreams);
