using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace Gitops.Providers.Azure;

/// <summary>
/// The Entra credential a containerapps target's ARM calls are made with: the stored service principal
/// (a client secret, signing in at the target's authority), else <see cref="DefaultAzureCredential"/>
/// (environment variables, workload or managed identity, the az CLI's sign-in). The secret stays inside
/// Azure.Identity, which sends it only in its token request.
/// </summary>
internal static class AzureCredentials
{
    /// <param name="inner">The handler Entra requests go through (tests trust the fake's certificate there); null: Azure.Core's default.</param>
    public static TokenCredential For(ContainerAppsOptions options, StoredServicePrincipal? stored, Func<HttpMessageHandler>? inner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (stored is null)
        {
            return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ExcludeInteractiveBrowserCredential = true });
        }

        var settings = new ClientSecretCredentialOptions();
        if (options.Authority is { } authority)
        {
            settings.AuthorityHost = new Uri(authority);
            settings.DisableInstanceDiscovery = true; // a stand-in authority is not one Entra's discovery knows
        }

        if (inner is not null)
        {
            settings.Transport = new HttpClientTransport(inner());
        }

        return new ClientSecretCredential(stored.Tenant, stored.AppId, stored.Password, settings);
    }
}
