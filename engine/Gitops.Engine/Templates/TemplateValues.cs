using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Gitops.Engine.Templates;

/// <summary>Placeholders in a template's texts, the values a service may give them, and generated credentials.</summary>
public static partial class TemplateValues
{
    /// <summary>Why a parameter's value was refused: it lands in URLs, commands and image tags, so it holds nothing that could change their meaning.</summary>
    public const string Rule = "may hold only letters, digits, '.', '_' and '-' (1 to 63 of them)";

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static bool Allowed(string value) => SafeValue().IsMatch(value);

    public static IEnumerable<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    public static bool HoldsAny(string text, IReadOnlySet<string> names) => Placeholders(text).Any(names.Contains);

    public static string Fill(string text, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    /// <summary>A new credential: 32 letters and digits (190 bits), safe in a URL without escaping.</summary>
    public static string NewCredential() => RandomNumberGenerator.GetString(Alphabet, 32);

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,63}$")]
    private static partial Regex SafeValue();
}
