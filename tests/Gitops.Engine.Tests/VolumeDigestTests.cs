using System.Formats.Tar;
using System.Text;
using Gitops.Engine.Backups;

namespace Gitops.Engine.Tests;

/// <summary>
/// A volume backup's check (<see cref="VolumeCopies.DigestAsync"/>): the same tree gives the same
/// digest whatever order tar read it in, and a changed content, owner or mode gives another.
/// </summary>
public sealed class VolumeDigestTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_same_tree_read_in_another_order_has_the_same_digest_and_any_change_another()
    {
        var tree = new[] { ("data/a", "one", 0, 0640), ("data/b", "two", 999, 0600) };

        var digest = await DigestAsync(tree);
        var reordered = await DigestAsync([.. tree.Reverse()]);
        var content = await DigestAsync([("data/a", "ONE", 0, 0640), tree[1]]);
        var owner = await DigestAsync([tree[0], ("data/b", "two", 0, 0600)]);
        var mode = await DigestAsync([tree[0], ("data/b", "two", 999, 0644)]);

        Assert.StartsWith("2 entries, digest ", digest, StringComparison.Ordinal);
        Assert.Equal(digest, reordered);
        Assert.Equal(4, new[] { digest, content, owner, mode }.Distinct().Count());
    }

    private static async Task<string> DigestAsync((string Name, string Content, int Uid, int Mode)[] files)
    {
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content, uid, mode) in files)
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Uid = uid, Mode = (UnixFileMode)mode }, Token);
            }
        }

        tar.Position = 0;
        return await VolumeCopies.DigestAsync(tar, Token);
    }
}
