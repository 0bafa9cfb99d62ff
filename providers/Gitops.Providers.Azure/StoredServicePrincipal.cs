namespace Gitops.Providers.Azure;

/// <summary>
/// The service principal <c>paas target credentials NAME</c> keeps for a containerapps target, in the
/// shape <c>az ad sp create-for-rbac</c> prints: <c>{"appId": …, "password": …, "tenant": …}</c>
/// (its <c>displayName</c> is ignored).
/// </summary>
internal sealed record StoredServicePrincipal(string AppId, string Password, string Tenant)
{
    public const string Shape = "the JSON `az ad sp create-for-rbac` prints ({\"appId\": …, \"password\": …, \"tenant\": …})";

    /// <summary>What is wrong with the value, never quoting it; null when it holds a service principal.</summary>
    public static string? Problem(string value) => TryParse(value, out _, out var problem) ? null : problem;

    public static StoredServicePrincipal Parse(string value, string target) =>
        TryParse(value, out var principal, out var problem)
            ? principal
            : throw new Engine.Targets.TargetUnavailableException($"containerapps target '{target}': its stored credentials are not usable ({problem}); store them again: paas target credentials {target}");

    /// <summary>Never the password: a record's generated text would show it.</summary>
    public override string ToString() => $"service principal {AppId} of tenant {Tenant}";

    private static bool TryParse(string value, out StoredServicePrincipal principal, out string problem)
    {
        principal = null!;
        if (Engine.Targets.TargetCredentials.JsonFields(value, Shape, out problem) is not { } field)
        {
            return false;
        }

        var (appId, password, tenant) = (field("appId"), field("password"), field("tenant"));
        var missing = appId is null ? "appId" : password is null ? "password" : tenant is null ? "tenant" : null;
        if (missing is not null)
        {
            problem = $"{missing} is missing: give {Shape}";
            return false;
        }

        if (!Guid.TryParse(appId, out _) || !(Guid.TryParse(tenant, out _) || tenant!.Contains('.', StringComparison.Ordinal)))
        {
            problem = $"{(Guid.TryParse(appId, out _) ? "tenant is not a tenant id or domain" : "appId is not a GUID")}: give {Shape}";
            return false;
        }

        principal = new StoredServicePrincipal(appId!, password!, tenant!);
        return true;
    }
}
