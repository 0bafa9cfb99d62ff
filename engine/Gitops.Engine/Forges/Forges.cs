using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Forges;

/// <summary>
/// Which forge each project's repository lives on, beside the watched repositories; the token
/// goes to the encrypted store under a scope no manifest can name.
/// </summary>
public sealed class Forges(StateStore state)
{
    public const string TokenScope = "@forge";
    public const string TokenName = "FORGE_TOKEN";

    private readonly ILiteCollection<BsonDocument> _forges = state.Collection("forges");
    private readonly SecretStore _secrets = new(state);

    public void Set(string project, ForgeConfig forge, string token)
    {
        ArgumentNullException.ThrowIfNull(forge);
        _forges.Upsert(new BsonDocument { ["_id"] = project, ["json"] = StateJson.Write(forge) });
        _secrets.Set(project, TokenScope, TokenName, token);
        state.Flush();
    }

    public ForgeConfig? Of(string project) =>
        _forges.FindById(project) is { } document ? StateJson.Read<ForgeConfig>(document["json"].AsString) : null;

    public string Token(string project) =>
        _secrets.Resolve(project, TokenScope, [TokenName]).Reveal().Select(p => p.Value).FirstOrDefault()
        ?? throw new ForgeException($"no forge token is stored for {project} (paas repo forge {project} … < token-file)");
}
