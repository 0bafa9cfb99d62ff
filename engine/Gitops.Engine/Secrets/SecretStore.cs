using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Secrets;

/// <summary>A secret as listed: never its value.</summary>
public sealed record SecretInfo(string Project, string Environment, string Name, int Version, DateTimeOffset UpdatedAt);

/// <summary>
/// App secrets, envelope-encrypted at rest: each value is sealed with AES-256-GCM under its own
/// random data key, and that key is sealed under the master key kept outside the database. The
/// secret's identity (project, environment, name, version) is bound in as associated data, so a
/// sealed value cannot be moved to another secret. Values go in and come out only for a container.
/// </summary>
public sealed class SecretStore : ISecretSource
{
    /// <summary>Environment name for a secret that applies to every environment of the project.</summary>
    public const string AllEnvironments = "*";

    private readonly StateStore _state;
    private readonly ILiteCollection<BsonDocument> _secrets;
    private readonly string _dataDirectory;
    private readonly bool _environmentOnly;

    public SecretStore(StateStore state)
        : this(state, environmentOnly: false)
    {
    }

    private SecretStore(StateStore state, bool environmentOnly)
    {
        ArgumentNullException.ThrowIfNull(state);
        (_state, _dataDirectory, _environmentOnly) = (state, state.DataDirectory, environmentOnly);
        _secrets = state.Collection("secrets");
    }

    /// <summary>
    /// The same store, where an environment sees only the values stored for it, never the
    /// project-wide ones: a fork's preview gets no secret of the project, only what the platform
    /// generates for that preview itself (a template's credentials).
    /// </summary>
    public static SecretStore EnvironmentOnly(StateStore state) => new(state, environmentOnly: true);

    public int Set(string project, string? environment, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var env = environment ?? AllEnvironments;
        var id = Id(project, env, name);
        var version = (_secrets.FindById(id)?["version"].AsInt32 ?? 0) + 1;
        var master = MasterKey.Load(_dataDirectory, create: true);
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var aad = Encoding.UTF8.GetBytes($"{id}#{version}");
        var (nonce, cipher, tag) = Seal(dataKey, Encoding.UTF8.GetBytes(value), aad);
        var (keyNonce, wrapped, keyTag) = Seal(master, dataKey, aad);
        CryptographicOperations.ZeroMemory(dataKey);
        _secrets.Upsert(new BsonDocument
        {
            ["_id"] = id,
            ["project"] = project,
            ["env"] = env,
            ["name"] = name,
            ["version"] = version,
            ["updated"] = DateTime.UtcNow,
            ["nonce"] = nonce,
            ["cipher"] = cipher,
            ["tag"] = tag,
            ["keyNonce"] = keyNonce,
            ["wrappedKey"] = wrapped,
            ["keyTag"] = keyTag,
        });
        _state.Flush();
        return version;
    }

    public bool Remove(string project, string? environment, string name)
    {
        var removed = _secrets.Delete(Id(project, environment ?? AllEnvironments, name));
        _state.Flush();
        return removed;
    }

    public IReadOnlyList<SecretInfo> List(string project) => _secrets
        .Find(d => d["project"] == project)
        .Select(d => new SecretInfo(project, d["env"].AsString, d["name"].AsString, d["version"].AsInt32, new DateTimeOffset(d["updated"].AsDateTime, TimeSpan.Zero)))
        .OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Environment, StringComparer.Ordinal)
        .ToList();

    /// <summary>The secrets of every owner whose name starts with <paramref name="prefix"/> (the platform's own reserved owners).</summary>
    public IReadOnlyList<SecretInfo> ListOwners(string prefix) => _secrets
        .FindAll()
        .Where(d => d["project"].AsString.StartsWith(prefix, StringComparison.Ordinal))
        .Select(d => new SecretInfo(d["project"].AsString, d["env"].AsString, d["name"].AsString, d["version"].AsInt32, new DateTimeOffset(d["updated"].AsDateTime, TimeSpan.Zero)))
        .OrderBy(s => s.Project, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>Per name, the environment's own secret wins over the project-wide one.</summary>
    public IReadOnlyDictionary<string, string> Versions(string project, string environment) =>
        Applicable(project, environment).ToDictionary(
            d => d["name"].AsString,
            d => $"v{d["version"].AsInt32} ({(d["env"].AsString == AllEnvironments ? "all environments" : d["env"].AsString)})",
            StringComparer.Ordinal);

    public SecretValues Resolve(string project, string environment, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        var documents = Applicable(project, environment).Where(d => wanted.Contains(d["name"].AsString)).ToList();
        if (documents.Count == 0)
        {
            return SecretValues.None;
        }

        var master = MasterKey.Load(_dataDirectory, create: false);
        return new SecretValues(documents.ToDictionary(d => d["name"].AsString, d => Open(master, d), StringComparer.Ordinal));
    }

    private IEnumerable<BsonDocument> Applicable(string project, string environment) => _secrets
        .Find(d => d["project"] == project)
        .Where(d => d["env"].AsString == environment || (!_environmentOnly && d["env"].AsString == AllEnvironments))
        .GroupBy(d => d["name"].AsString, StringComparer.Ordinal)
        .Select(g => g.OrderBy(d => d["env"].AsString == AllEnvironments ? 1 : 0).First());

    private static string Open(byte[] master, BsonDocument document)
    {
        var aad = Encoding.UTF8.GetBytes($"{document["_id"].AsString}#{document["version"].AsInt32}");
        var dataKey = Unseal(master, document["keyNonce"].AsBinary, document["wrappedKey"].AsBinary, document["keyTag"].AsBinary, aad);
        try
        {
            return Encoding.UTF8.GetString(Unseal(dataKey, document["nonce"].AsBinary, document["cipher"].AsBinary, document["tag"].AsBinary, aad));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static (byte[] Nonce, byte[] Cipher, byte[] Tag) Seal(byte[] key, byte[] plain, byte[] aad)
    {
        using var aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        aes.Encrypt(nonce, plain, cipher, tag, aad);
        return (nonce, cipher, tag);
    }

    private static byte[] Unseal(byte[] key, byte[] nonce, byte[] cipher, byte[] tag, byte[] aad)
    {
        using var aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize);
        var plain = new byte[cipher.Length];
        aes.Decrypt(nonce, cipher, tag, plain, aad);
        return plain;
    }

    private static string Id(string project, string environment, string name) => $"{project}/{environment}/{name}";
}
