namespace Gitops.Schema.Diagnostics;

/// <summary>
/// Stable error codes. Tools and tests match on these, so a code is never renamed or reused;
/// the message may improve freely.
/// </summary>
public static class ErrorCodes
{
    // Reading the file and its YAML.
    public const string FileNotFound = "E-FILE-NOT-FOUND";
    public const string FileTooLarge = "E-YAML-TOO-LARGE";
    public const string YamlSyntax = "E-YAML-SYNTAX";
    public const string YamlTooDeep = "E-YAML-TOO-DEEP";
    public const string YamlAliasLimit = "E-YAML-ALIAS-LIMIT";
    public const string YamlDuplicateKey = "E-YAML-DUPLICATE-KEY";
    public const string YamlTag = "E-YAML-TAG";
    public const string YamlMultipleDocuments = "E-YAML-MULTIPLE-DOCUMENTS";
    public const string YamlComplexKey = "E-YAML-COMPLEX-KEY";
    public const string YamlEmpty = "E-YAML-EMPTY";

    // The manifest's shape.
    public const string UnknownKey = "E-MANIFEST-UNKNOWN-KEY";
    public const string Type = "E-MANIFEST-TYPE";
    public const string Required = "E-MANIFEST-REQUIRED";
    public const string Version = "E-MANIFEST-VERSION";
    public const string EnumValue = "E-MANIFEST-ENUM";
    public const string Duration = "E-MANIFEST-DURATION";
    public const string Quantity = "E-MANIFEST-QUANTITY";

    // The manifest's meaning.
    public const string Name = "E-MANIFEST-NAME";
    public const string UnknownReference = "E-MANIFEST-UNKNOWN-REF";
    public const string Cycle = "E-MANIFEST-CYCLE";
    public const string Cron = "E-MANIFEST-CRON";
    public const string Port = "E-MANIFEST-PORT";
    public const string Source = "E-MANIFEST-SOURCE";
    public const string EnvKey = "E-MANIFEST-ENV-KEY";
    public const string PathEscape = "E-MANIFEST-PATH-ESCAPE";
    public const string Range = "E-MANIFEST-RANGE";
    public const string Conflict = "E-MANIFEST-CONFLICT";
    public const string Domain = "E-MANIFEST-DOMAIN";
    public const string NotifyEvent = "E-MANIFEST-NOTIFY-EVENT";
    public const string Template = "E-MANIFEST-TEMPLATE";
    public const string HealthPath = "E-MANIFEST-HEALTH-PATH";
    public const string MountPath = "E-MANIFEST-MOUNT-PATH";
    public const string Image = "E-MANIFEST-IMAGE";
    public const string Placement = "E-MANIFEST-PLACEMENT";
}
