using System.Globalization;
using System.Text;
using Docker.DotNet;

namespace Gitops.Providers.Docker;

/// <summary>One line of an engine's log stream read with timestamps: its time, stream and text (what followed the time).</summary>
public sealed record StampedLine(DateTimeOffset At, bool Stderr, string Text);

/// <summary>
/// Reads the engine's multiplexed log stream (a container's, or a Swarm service's) frame by frame,
/// cutting each of stdout and stderr into lines that start with their RFC 3339 time.
/// </summary>
public static class LogStream
{
    public static async Task ReadLinesAsync(MultiplexedStream stream, Action<StampedLine> onLine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(onLine);
        var pending = new Dictionary<MultiplexedStream.TargetStream, StringBuilder>();
        var decoders = new Dictionary<MultiplexedStream.TargetStream, Decoder>();
        var buffer = new byte[16 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                break;
            }

            var text = pending.TryGetValue(read.Target, out var sb) ? sb : pending[read.Target] = new StringBuilder();
            var decoder = decoders.TryGetValue(read.Target, out var d) ? d : decoders[read.Target] = Encoding.UTF8.GetDecoder();
            text.Append(chars, 0, decoder.GetChars(buffer, 0, read.Count, chars, 0));
            Emit(read.Target, text, onLine);
        }

        foreach (var (target, text) in pending.Where(p => p.Value.Length > 0))
        {
            text.Append('\n');
            Emit(target, text, onLine);
        }
    }

    private static void Emit(MultiplexedStream.TargetStream target, StringBuilder text, Action<StampedLine> onLine)
    {
        var all = text.ToString();
        var start = 0;
        for (var end = all.IndexOf('\n', start); end >= 0; end = all.IndexOf('\n', start))
        {
            var line = all.AsSpan(start, end - start).TrimEnd('\r');
            start = end + 1;
            var space = line.IndexOf(' ');
            if (space > 0 && ParseTime(line[..space]) is { } at)
            {
                onLine(new StampedLine(at, target == MultiplexedStream.TargetStream.StandardError, line[(space + 1)..].ToString()));
            }
        }

        text.Remove(0, start);
    }

    /// <summary>RFC 3339 with up to nine fractional digits (Docker's); .NET parses seven, which is all a tick holds.</summary>
    private static DateTimeOffset? ParseTime(ReadOnlySpan<char> stamp)
    {
        var text = stamp.ToString();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var zone = text.IndexOfAny(['Z', '+', '-'], dot);
            var fraction = zone < 0 ? text[(dot + 1)..] : text[(dot + 1)..zone];
            if (fraction.Length > 7)
            {
                text = text[..(dot + 8)] + (zone < 0 ? "" : text[zone..]);
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null;
    }
}
