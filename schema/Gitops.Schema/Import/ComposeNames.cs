using System.Text;
using Gitops.Schema.Validation;

namespace Gitops.Schema.Import;

/// <summary>Compose names (services, volumes, projects) made into the manifest's name grammar: a DNS label.</summary>
public static class ComposeNames
{
    /// <summary>
    /// Lower case; every run of other characters becomes one '-'; a leading digit gets
    /// <paramref name="prefix"/>; at most 63 characters. Null when nothing is left.
    /// </summary>
    public static string? Normalize(string name, string prefix)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                text.Append(c);
            }
            else if (text.Length > 0 && text[^1] != '-')
            {
                text.Append('-');
            }
        }

        var result = text.ToString().Trim('-');
        if (result.Length == 0)
        {
            return null;
        }

        if (!char.IsAsciiLetterLower(result[0]))
        {
            result = $"{prefix}-{result}";
        }

        result = result.Length > 63 ? result[..63].TrimEnd('-') : result;
        return Grammar.Name().IsMatch(result) ? result : null;
    }

    /// <summary><paramref name="name"/>, or with -2, -3… until it is not in <paramref name="taken"/>.</summary>
    public static string Unique(string name, ICollection<string> taken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(taken);
        var candidate = name;
        for (var i = 2; taken.Contains(candidate); i++)
        {
            var suffix = $"-{i}";
            candidate = (name.Length + suffix.Length > 63 ? name[..(63 - suffix.Length)] : name) + suffix;
        }

        return candidate;
    }
}
