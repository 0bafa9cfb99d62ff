using System.Reflection;
using System.Reflection.Emit;
using Gitops.Schema.Model;

namespace Gitops.Cli.Tests;

/// <summary>
/// Every field paas.yaml accepts is read by the code that acts on it, outside the schema (whose
/// validator reads them all): found by reading the compiled code of the engine, the providers, the
/// server, the CLI and the schema's loader (not its validator) for calls to each model property's
/// getter. A field nothing reads is accepted and ignored, which the platform never does: act on it,
/// or refuse it where it is read. Reading is not yet acting: a reader that only shows a field
/// (crons on the container family are listed by status until issue 15 schedules them) passes here,
/// which is why the fields known to wait for their consumer are listed with their issue.
/// </summary>
public sealed class ManifestFieldConsumerTests
{
    // The CLI assembly is named paas.
    private static readonly string[] Consumers = ["Gitops.Engine", "Gitops.Server", "paas", "Gitops.Providers.Docker", "Gitops.Providers.Swarm", "Gitops.Providers.Kubernetes", "Gitops.Providers.Caddy"];

    /// <summary>Fields acted on where the scan does not look, each with where.</summary>
    private static readonly Dictionary<string, string> ActedOnElsewhere = new(StringComparer.Ordinal)
    {
        ["Manifest.Version"] = "the validator refuses every version but 1 (Invalid/version-unsupported.yaml): that is all it means",
        ["Manifest.Overrides"] = "the loader merges each environment's overrides into its manifest as YAML, before binding (ManifestModelTests); what they set is read as the base fields are",
        ["EnvironmentOverride.Services"] = "as Manifest.Overrides",
        ["EnvironmentOverride.Crons"] = "as Manifest.Overrides",
        ["EnvironmentOverride.Notify"] = "as Manifest.Overrides",
        ["BackupSpec.Schedule"] = "services.*.backup is refused at plan as a whole (CompilerTests.A_backup_is_refused_naming_the_service_rather_than_accepted_and_never_run)",
        ["BackupSpec.Keep"] = "as BackupSpec.Schedule",
        ["BackupSpec.To"] = "as BackupSpec.Schedule",
    };

    /// <summary>
    /// Accepted and not acted on yet, with the open issue that acts on it. Each must still be unread:
    /// when its consumer lands, the test fails until the line goes, so this list only shrinks.
    /// </summary>
    private static readonly Dictionary<string, string> NotActedOnYet = new(StringComparer.Ordinal)
    {
    };

    [Fact]
    public void Every_manifest_field_is_read_by_code_that_acts_on_it_or_refuses_it()
    {
        var fields = ModelProperties(typeof(Manifest));
        var readers = Readers();

        var unread = fields.Where(f => !readers.ContainsKey(f.Property) && !ActedOnElsewhere.ContainsKey(Key(f.Property)) && !NotActedOnYet.ContainsKey(Key(f.Property)))
            .Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
        var readNow = NotActedOnYet.Keys.Where(k => fields.Any(f => Key(f.Property) == k && readers.ContainsKey(f.Property))).ToList();
        var stale = ActedOnElsewhere.Keys.Concat(NotActedOnYet.Keys).Where(k => fields.All(f => Key(f.Property) != k)).ToList();

        Assert.True(fields.Count > 60, $"only {fields.Count} fields found: the walk over the model broke");
        Assert.True(unread.Count == 0, "accepted but read by nothing outside the schema: " + string.Join(", ", unread));
        Assert.True(readNow.Count == 0, "read now, so take them off NotActedOnYet (and check they are acted on everywhere): " + string.Join(", ", readNow));
        Assert.True(stale.Count == 0, "no such field: " + string.Join(", ", stale));
    }

    private static string Key(PropertyInfo property) => $"{property.DeclaringType!.Name}.{property.Name}";

    [Fact]
    public void The_scan_finds_the_readers_it_should()
    {
        var readers = Readers();

        // Known readers, so a scan that finds nothing cannot pass the test above by accident.
        Assert.Contains(readers[typeof(Autoscale).GetProperty(nameof(Autoscale.Rps))!], m => m.DeclaringType!.FullName!.StartsWith("Gitops.Engine.Scaling.Recommendation", StringComparison.Ordinal));
        Assert.Contains(readers[typeof(Service).GetProperty(nameof(Service.AllowFrom))!], m => m.DeclaringType!.FullName!.StartsWith("Gitops.Engine.Desired.Compiler", StringComparison.Ordinal));
        Assert.False(readers.ContainsKey(typeof(Manifest).GetProperty(nameof(Manifest.Version))!)); // read by the validator alone: the validator is not a consumer
    }

    /// <summary>Each public property of the model reachable from <paramref name="root"/>, with its manifest path.</summary>
    private static List<(string Path, PropertyInfo Property)> ModelProperties(Type root)
    {
        var found = new List<(string, PropertyInfo)>();
        var onPath = new Stack<Type>();
        Walk(root, "");
        return found;

        void Walk(Type type, string path)
        {
            if (onPath.Contains(type))
            {
                return;
            }

            onPath.Push(type);

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
            {
                var name = path + (path.Length == 0 ? "" : ".") + char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
                found.Add((name, property));
                foreach (var inner in ModelTypes(property.PropertyType))
                {
                    Walk(inner, name + (property.PropertyType.IsGenericType && property.PropertyType.Name.StartsWith("ValueMap", StringComparison.Ordinal) ? ".*" : property.PropertyType.Name.StartsWith("ValueList", StringComparison.Ordinal) ? "[]" : ""));
                }
            }

            onPath.Pop();
        }
    }

    /// <summary>The model types inside a property's type (through nullables, maps and lists); not scalars such as Duration.</summary>
    private static IEnumerable<Type> ModelTypes(Type type)
    {
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        if (inner.IsGenericType)
        {
            return inner.GetGenericArguments().SelectMany(ModelTypes);
        }

        return inner.Namespace == typeof(Manifest).Namespace && inner.IsClass && inner.GetProperties().Any(p => p.CanWrite) ? [inner] : [];
    }

    /// <summary>Model property → the methods of the consuming assemblies that call its getter.</summary>
    private static Dictionary<PropertyInfo, List<MethodBase>> Readers()
    {
        var getters = typeof(Manifest).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Manifest).Namespace)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Where(p => p.GetMethod is not null)
            .ToDictionary(p => p.GetMethod!, p => p);
        var readers = new Dictionary<PropertyInfo, List<MethodBase>>();
        foreach (var assembly in Consumers.Select(Assembly.Load).Append(typeof(Manifest).Assembly))
        {
            // In the schema only the loader counts (it merges overrides into each environment's manifest); its validator reads every field.
            var types = assembly == typeof(Manifest).Assembly ? assembly.GetTypes().Where(t => t.Namespace == "Gitops.Schema.Loading") : assembly.GetTypes();
            foreach (var method in types.SelectMany(t => t.GetMethods(Everything).Cast<MethodBase>().Concat(t.GetConstructors(Everything))).Where(m => m.DeclaringType?.Assembly == assembly))
            {
                foreach (var called in Calls(method))
                {
                    if (getters.TryGetValue(called, out var property))
                    {
                        (readers.TryGetValue(property, out var list) ? list : readers[property] = []).Add(method);
                    }
                }
            }
        }

        return readers;
    }

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The methods a body calls (call, callvirt, ldftn, ldvirtftn), decoded opcode by opcode.</summary>
    private static IEnumerable<MethodInfo> Calls(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException or BadImageFormatException)
        {
            yield break;
        }

        if (il is null)
        {
            yield break;
        }

        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var opCode = OpCodesByValue[value];
            if (opCode.OperandType == OperandType.InlineMethod)
            {
                var token = BitConverter.ToInt32(il, position);
                MethodBase? target = null;
                try
                {
                    target = method.Module.ResolveMethod(token, method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null, method.IsGenericMethod ? method.GetGenericArguments() : null);
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException)
                {
                    // A member of a generic instantiation it cannot close here: not a model getter (they are not generic).
                }

                if (target is MethodInfo info)
                {
                    yield return info;
                }
            }

            position += opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
        }
    }
}
