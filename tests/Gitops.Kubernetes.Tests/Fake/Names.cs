using System.Globalization;
using System.Text;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>Generated names as the real controllers make them.</summary>
internal static class Names
{
    // k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable characters.
    private const string Alphanumerics = "bcdfghjklmnpqrstvwxz2456789";

    public static string RandomSuffix(int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(Alphanumerics[Random.Shared.Next(Alphanumerics.Length)]);
        }

        return text.ToString();
    }

    /// <summary>The pod-template-hash: FNV-32a of the template, its decimal digits mapped onto the safe alphabet.</summary>
    public static string TemplateHash(string canonicalTemplate, long collisionCount)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(canonicalTemplate + collisionCount.ToString(CultureInfo.InvariantCulture)))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Concat(digits.Select(c => Alphanumerics[c % Alphanumerics.Length]));
    }
}
