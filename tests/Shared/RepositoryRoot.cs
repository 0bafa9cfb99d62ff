namespace Gitops.Tests;

public static class RepositoryRoot
{
    /// <summary>The checkout's root: the first directory above the test binaries holding Gitops.sln.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Gitops.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Gitops.sln above {AppContext.BaseDirectory}");
    }
}
