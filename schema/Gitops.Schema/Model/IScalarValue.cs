namespace Gitops.Schema.Model;

/// <summary>
/// A value written as one YAML scalar in its own notation (<c>30s</c>, <c>256Mi</c>, <c>500m</c>)
/// and normalized on read. The loader and the JSON Schema both take the grammar from here.
/// </summary>
public interface IScalarValue<TSelf> where TSelf : IScalarValue<TSelf>
{
    /// <summary>The error code used when the text does not parse.</summary>
    static abstract string ErrorCode { get; }

    /// <summary>A regular expression for the JSON Schema (editors check it while typing).</summary>
    static abstract string Pattern { get; }

    /// <summary>Whether a bare YAML number is also accepted (written into the schema).</summary>
    static abstract bool AcceptsNumber { get; }

    static abstract bool TryParse(string text, out TSelf value, out string error);
}
