namespace Gitops.Schema.Model;

/// <summary>
/// The map's values may be written as any YAML scalar (<c>PORT: 8080</c>, <c>DEBUG: true</c>) and
/// are read as their text, as Compose does for environment variables.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AnyScalarAttribute : Attribute;
