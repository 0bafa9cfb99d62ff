using System.Text.Json;

namespace Gitops.Cli.Remote;

/// <summary>
/// The server the CLI talks to and its token, saved by <c>paas login</c> in the data directory
/// as <c>login.json</c>, readable by its owner only (like the credentials files of docker and gh).
/// </summary>
public sealed record Login(string Server, string Token, bool InsecureHttp = false)
{
    public const string FileName = "login.json";

    public static Login? Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<Login>(File.ReadAllText(path), JsonSerializerOptions.Web) : null;
    }

    public void Save(string dataDirectory)
    {
        Gitops.Engine.Targets.DataDirectory.Prepare(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        using (File.Create(path, 1, FileOptions.None))
        {
            // Created empty first so the mode is owner-only before the token is written.
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, JsonSerializer.Serialize(this, JsonSerializerOptions.Web));
    }

    public static bool Remove(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var existed = File.Exists(path);
        File.Delete(path);
        return existed;
    }
}
