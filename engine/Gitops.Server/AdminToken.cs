using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.State;

namespace Gitops.Server;

/// <summary>
/// The single admin API token (until users and roles arrive): made at first start, shown once,
/// stored only as its SHA-256 hash.
/// </summary>
public sealed class AdminToken(StateStore state)
{
    /// <returns>The new token the first time; null when one exists already.</returns>
    public string? CreateIfMissing()
    {
        var tokens = state.Collection("tokens");
        if (tokens.FindById("admin") is not null)
        {
            return null;
        }

        var token = "paas_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        tokens.Insert(new LiteDB.BsonDocument { ["_id"] = "admin", ["hash"] = Hash(token) });
        state.Flush();
        return token;
    }

    public bool Accepts(string? presented)
    {
        var stored = state.Collection("tokens").FindById("admin")?["hash"].AsString;
        return presented is not null && stored is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(stored));
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
