using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Secrets;

namespace Gitops.Engine.Backups;

/// <summary>Why an archive was refused: wrong checksum, another backup's archive, cut short, or not ours.</summary>
public sealed class BackupCorruptException(string message) : InvalidOperationException(message);

/// <summary>
/// The archive format: "PAASBK1\n", a random 12-byte nonce base, then chunks of at most 1 MiB, each
/// sealed with AES-256-GCM under a key derived from the master key. A chunk's associated data binds
/// the backup's id, its index and whether it is the last, so an archive moved under another id,
/// reordered or cut short is refused, never restored in part. Streams through: memory stays at a chunk.
/// </summary>
public static class BackupArchive
{
    public const int ChunkSize = 1 << 20;
    private const int TagSize = 16;
    private static readonly byte[] Magic = "PAASBK1\n"u8.ToArray();

    /// <summary>The archive key: the master key through HKDF, so a backup never holds what opens secrets.</summary>
    public static byte[] Key(string dataDirectory) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, MasterKey.Load(dataDirectory, create: true), 32, info: "paas backup archive v1"u8.ToArray());

    /// <summary>Reads <paramref name="plain"/> to its end, writing the sealed archive; returns the plain length.</summary>
    public static async Task<long> SealAsync(Stream plain, Stream archive, byte[] key, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plain);
        ArgumentNullException.ThrowIfNull(archive);
        using var aes = new AesGcm(key, TagSize);
        var nonceBase = RandomNumberGenerator.GetBytes(12);
        await archive.WriteAsync(Magic, cancellationToken).ConfigureAwait(false);
        await archive.WriteAsync(nonceBase, cancellationToken).ConfigureAwait(false);
        var current = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var currentLength = await FillAsync(plain, current, cancellationToken).ConfigureAwait(false);
        var cipher = new byte[ChunkSize + TagSize]; // one buffer for every chunk: no large allocation per MiB
        var header = new byte[4];
        long total = 0;
        for (long index = 0; ; index++)
        {
            // Read one chunk ahead: the last chunk is known as the last when it is sealed.
            var nextLength = currentLength == ChunkSize ? await FillAsync(plain, next, cancellationToken).ConfigureAwait(false) : 0;
            var last = nextLength == 0;
            aes.Encrypt(Nonce(nonceBase, index), current.AsSpan(0, currentLength), cipher.AsSpan(0, currentLength), cipher.AsSpan(currentLength, TagSize), Aad(id, index, last));
            BinaryPrimitives.WriteInt32BigEndian(header, currentLength);
            await archive.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await archive.WriteAsync(cipher.AsMemory(0, currentLength + TagSize), cancellationToken).ConfigureAwait(false);
            total += currentLength;
            if (last)
            {
                return total;
            }

            (current, next) = (next, current);
            currentLength = nextLength;
        }
    }

    /// <summary>Writes the plain data of <paramref name="archive"/>; throws <see cref="BackupCorruptException"/> at the first chunk that does not open.</summary>
    public static async Task<long> OpenAsync(Stream archive, Stream plain, byte[] key, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(plain);
        using var aes = new AesGcm(key, TagSize);
        var head = new byte[Magic.Length + 12];
        if (await FillAsync(archive, head, cancellationToken).ConfigureAwait(false) != head.Length || !head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new BackupCorruptException("not a paas backup archive");
        }

        var nonceBase = head[Magic.Length..];
        var header = new byte[4];
        long total = 0;
        for (long index = 0; ; index++)
        {
            if (await FillAsync(archive, header, cancellationToken).ConfigureAwait(false) != 4)
            {
                throw new BackupCorruptException($"the archive ends after chunk {index} without its last chunk: cut short");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(header);
            if (length is < 0 or > ChunkSize)
            {
                throw new BackupCorruptException($"chunk {index} claims {length} bytes: damaged");
            }

            var cipher = new byte[length + TagSize];
            if (await FillAsync(archive, cipher, cancellationToken).ConfigureAwait(false) != cipher.Length)
            {
                throw new BackupCorruptException($"chunk {index} is cut short");
            }

            var data = new byte[length];
            var last = false;
            if (!TryOpen(aes, nonceBase, index, id, cipher, data, last: false))
            {
                last = true;
                if (!TryOpen(aes, nonceBase, index, id, cipher, data, last: true))
                {
                    throw new BackupCorruptException($"chunk {index} does not open with this platform's key as backup {id}: damaged, another backup's, or made by another platform");
                }
            }

            await plain.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            total += length;
            if (last)
            {
                return await FillAsync(archive, header.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) == 0
                    ? total
                    : throw new BackupCorruptException("data follows the last chunk");
            }
        }
    }

    private static bool TryOpen(AesGcm aes, byte[] nonceBase, long index, string id, byte[] cipher, byte[] data, bool last)
    {
        try
        {
            aes.Decrypt(Nonce(nonceBase, index), cipher.AsSpan(0, data.Length), cipher.AsSpan(data.Length), data, Aad(id, index, last));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static byte[] Nonce(byte[] nonceBase, long index)
    {
        var nonce = (byte[])nonceBase.Clone();
        var counter = BinaryPrimitives.ReadInt64BigEndian(nonce.AsSpan(4)) ^ index;
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }

    private static byte[] Aad(string id, long index, bool last) => Encoding.UTF8.GetBytes($"{id}#{index}#{(last ? "last" : "more")}");

    private static async Task<int> FillAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
