using Gitops.Engine.Targets;

namespace Gitops.Cli.Commands;

/// <summary>The data directory's platform.yaml for a command: one that does not bind is the user's input error, said with its <c>platform.yaml:line:column</c>.</summary>
internal static class PlatformFile
{
    public static PlatformConfig Load(string dataDirectory)
    {
        try
        {
            return PlatformConfig.Load(dataDirectory);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
    }
}
