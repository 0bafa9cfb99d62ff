using Gitops.Engine.Secrets;

namespace Gitops.Engine.Templates;

/// <summary>
/// Puts in the encrypted store what template services need before they are compiled: each
/// credential generated once per environment and never again (its database keeps it), and each
/// text made from credentials (a connection URL) written again only when it changes. No value
/// is returned or printed.
/// </summary>
public static class TemplateCredentials
{
    /// <summary>Returns the stored names it wrote, for the deployment's log.</summary>
    public static IReadOnlyList<string> Ensure(ISecretSource secrets, string project, string environment, IReadOnlyList<TemplateSecret> wanted)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(wanted);
        var written = new List<string>();
        var names = wanted.Select(w => w.Stored).ToList();
        var current = secrets.Resolve(project, environment, names).Reveal().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var credential in wanted.Where(w => w.Text is null && !current.ContainsKey(w.Stored)))
        {
            current[credential.Stored] = TemplateValues.NewCredential();
            secrets.Set(project, environment, credential.Stored, current[credential.Stored]);
            written.Add(credential.Stored);
        }

        foreach (var text in wanted.Where(w => w.Text is not null))
        {
            // The service's credentials by their short name: {password} → db.password's value.
            var prefix = $"{text.Service}.";
            var values = wanted.Where(w => w.Text is null && w.Service == text.Service)
                .ToDictionary(w => w.Stored[prefix.Length..], w => current[w.Stored], StringComparer.Ordinal);
            var value = TemplateValues.Fill(text.Text!, values);
            if (!current.TryGetValue(text.Stored, out var stored) || stored != value)
            {
                secrets.Set(project, environment, text.Stored, value);
                written.Add(text.Stored);
            }
        }

        return written;
    }
}
