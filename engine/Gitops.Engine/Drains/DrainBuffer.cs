using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gitops.Engine.Drains;

/// <summary>What a drain holds and lost: for <c>paas logs --stats</c>.</summary>
public sealed record DrainBufferStats(long PendingBytes, long Dropped);

/// <summary>
/// A drain's on-disk buffer: JSON lines appended to numbered segment files, read from a cursor that
/// moves only once the far end took a batch, so a crash or an outage loses nothing. When the
/// segments outgrow the cap, the oldest segment goes and the lines in it not yet shipped are
/// counted as dropped. One writer and one reader at a time (a lock), order kept as appended.
/// </summary>
public sealed class DrainBuffer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _directory;
    private readonly long _cap;
    private readonly long _segmentSize;
    private readonly Lock _gate = new();

    public DrainBuffer(string directory, long capBytes)
    {
        _directory = Directory.CreateDirectory(directory).FullName;
        _cap = capBytes;
        _segmentSize = Math.Max(16 * 1024, capBytes / 8);
    }

    /// <summary>Where the next unshipped line starts: a segment and a byte offset in it.</summary>
    public readonly record struct Position(long Segment, long Offset);

    public void Append(IReadOnlyCollection<DrainRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var segments = Segments();
            var current = segments.Count == 0 ? 1 : segments[^1];
            if (segments.Count > 0 && new FileInfo(SegmentPath(current)).Length >= _segmentSize)
            {
                current++;
            }

            // A burst can be larger than the cap: it goes into as many segments as it fills, so the
            // cap can drop its oldest part too (one oversized segment would outlive every cap).
            var file = new FileStream(SegmentPath(current), FileMode.Append, FileAccess.Write, FileShare.Read);
            try
            {
                foreach (var record in records)
                {
                    if (file.Length >= _segmentSize)
                    {
                        file.Dispose();
                        file = new FileStream(SegmentPath(++current), FileMode.Append, FileAccess.Write, FileShare.Read);
                    }

                    file.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n"));
                }
            }
            finally
            {
                file.Dispose();
            }

            EnforceCap();
        }
    }

    /// <summary>Up to <paramref name="max"/> lines from the cursor on, and the position after them (give it to <see cref="Commit"/> once shipped).</summary>
    public (IReadOnlyList<DrainRecord> Records, Position Next) Read(int max)
    {
        lock (_gate)
        {
            var records = new List<DrainRecord>();
            var position = Cursor();
            foreach (var segment in Segments().Where(s => s >= position.Segment))
            {
                var offset = segment == position.Segment ? position.Offset : 0;
                using var file = new FileStream(SegmentPath(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                file.Seek(offset, SeekOrigin.Begin);
                using var reader = new StreamReader(file, Encoding.UTF8);
                while (records.Count < max && reader.ReadLine() is { } line)
                {
                    offset += Encoding.UTF8.GetByteCount(line) + 1;
                    if (JsonSerializer.Deserialize<DrainRecord>(line, Json) is { } record)
                    {
                        records.Add(record);
                    }
                }

                position = new Position(segment, offset);
                if (records.Count >= max)
                {
                    break;
                }
            }

            return (records, position);
        }
    }

    /// <summary>The far end took everything before <paramref name="next"/>: the cursor moves there and finished segments go.</summary>
    public void Commit(Position next)
    {
        lock (_gate)
        {
            if (next.Segment < Cursor().Segment)
            {
                return; // the cap dropped what this batch was read from meanwhile: the cursor is already past it
            }

            var temporary = CursorPath + ".tmp";
            File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{next.Segment} {next.Offset}"));
            File.Move(temporary, CursorPath, overwrite: true);
            foreach (var done in Segments().Where(s => s < next.Segment))
            {
                File.Delete(SegmentPath(done));
            }
        }
    }

    public DrainBufferStats Stats()
    {
        lock (_gate)
        {
            var cursor = Cursor();
            var pending = Segments().Where(s => s >= cursor.Segment).Sum(s => new FileInfo(SegmentPath(s)).Length - (s == cursor.Segment ? cursor.Offset : 0));
            return new DrainBufferStats(Math.Max(0, pending), Dropped());
        }
    }

    /// <summary>Over the cap: the oldest segment goes, its unshipped lines counted (newer lines are worth more to someone reading after an outage).</summary>
    private void EnforceCap()
    {
        var segments = Segments();
        while (segments.Count > 1 && segments.Sum(s => new FileInfo(SegmentPath(s)).Length) > _cap)
        {
            var oldest = segments[0];
            var cursor = Cursor();
            if (oldest >= cursor.Segment)
            {
                var lost = CountLines(SegmentPath(oldest), oldest == cursor.Segment ? cursor.Offset : 0);
                File.WriteAllText(DroppedPath, (Dropped() + lost).ToString(CultureInfo.InvariantCulture));
                File.WriteAllText(CursorPath, string.Create(CultureInfo.InvariantCulture, $"{segments[1]} 0"));
            }

            File.Delete(SegmentPath(oldest));
            segments.RemoveAt(0);
        }
    }

    private static long CountLines(string path, long from)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(from, SeekOrigin.Begin);
        long lines = 0;
        int b;
        while ((b = file.ReadByte()) >= 0)
        {
            lines += b == '\n' ? 1 : 0;
        }

        return lines;
    }

    private List<long> Segments() => Directory.EnumerateFiles(_directory, "*.ndjson")
        .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), CultureInfo.InvariantCulture)).Order().ToList();

    private Position Cursor()
    {
        if (File.Exists(CursorPath) && File.ReadAllText(CursorPath).Split(' ') is [var segment, var offset])
        {
            return new Position(long.Parse(segment, CultureInfo.InvariantCulture), long.Parse(offset, CultureInfo.InvariantCulture));
        }

        return new Position(Segments().FirstOrDefault(1), 0);
    }

    private long Dropped() => File.Exists(DroppedPath) ? long.Parse(File.ReadAllText(DroppedPath), CultureInfo.InvariantCulture) : 0;

    private string SegmentPath(long segment) => Path.Combine(_directory, segment.ToString("D12", CultureInfo.InvariantCulture) + ".ndjson");

    private string CursorPath => Path.Combine(_directory, "cursor");

    private string DroppedPath => Path.Combine(_directory, "dropped");
}
