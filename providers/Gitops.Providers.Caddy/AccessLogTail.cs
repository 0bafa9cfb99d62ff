using System.Text.Json;
using Gitops.Engine.Ingress;

namespace Gitops.Providers.Caddy;

/// <summary>
/// Reads the router's access log (one JSON object per request, with its host, time and status;
/// headers, URIs and client addresses are filtered out before they are written) from where the
/// last read stopped. Caddy rolls the file over at a size: the old file is read to its end through
/// the handle kept open, then the new one from its start. The first read only marks the end.
/// </summary>
internal sealed class AccessLogTail(string path, TimeProvider clock) : IDisposable
{
    private FileStream? _file;
    private DateTimeOffset _since;
    private readonly List<byte> _partial = [];

    public TrafficSample? Read()
    {
        var now = clock.GetUtcNow();
        if (_file is null)
        {
            if (Open(path) is not { } opened)
            {
                return null;
            }

            _file = opened;
            _file.Seek(0, SeekOrigin.End); // what came before this reader is not this sample's
            _since = now;
            return null;
        }

        var hosts = new Dictionary<string, HostTraffic>(StringComparer.OrdinalIgnoreCase);
        Drain(_file, hosts);
        var current = Open(path);
        if (current is not null && (current.Length < _file.Position || !Head(current).AsSpan().SequenceEqual(Head(_file))))
        {
            // Rolled over: the old file was read to its end above; the new one is read whole.
            _file.Dispose();
            _partial.Clear();
            _file = current;
            Drain(_file, hosts);
        }
        else
        {
            current?.Dispose();
        }

        var span = now - _since;
        _since = now;
        return new TrafficSample(span, hosts);
    }

    public void Dispose() => _file?.Dispose();

    private void Drain(FileStream file, Dictionary<string, HostTraffic> hosts)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                if (_partial.Count > 0)
                {
                    _partial.AddRange(buffer.AsSpan(start, i - start));
                    Count(_partial.ToArray(), hosts);
                    _partial.Clear();
                }
                else
                {
                    Count(buffer.AsSpan(start, i - start), hosts);
                }

                start = i + 1;
            }

            _partial.AddRange(buffer.AsSpan(start, read - start)); // a line Caddy is still writing
        }
    }

    /// <summary>One entry: its <c>request.host</c> and <c>duration</c> (seconds), read without building a document (thousands a second at saturation).</summary>
    private static void Count(ReadOnlySpan<byte> line, Dictionary<string, HostTraffic> hosts)
    {
        string? host = null;
        double? seconds = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            var inRequest = false;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (reader.CurrentDepth == 1)
                {
                    inRequest = reader.ValueTextEquals("request"u8);
                    if (reader.ValueTextEquals("duration"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number)
                    {
                        seconds = reader.GetDouble();
                    }
                    else if (!inRequest)
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
                else if (inRequest && reader.CurrentDepth == 2 && reader.ValueTextEquals("host"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    host = reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
            return; // a line cut by a roll-over: one request less in the count
        }

        if (host is not { Length: > 0 })
        {
            return;
        }

        var name = HostName(host);
        if (!hosts.TryGetValue(name, out var traffic))
        {
            hosts[name] = traffic = new HostTraffic();
        }

        traffic.Requests++;
        if (seconds is { } duration)
        {
            traffic.DurationsMs.Add((float)(duration * 1000));
        }
    }

    /// <summary>The host name without its port ("web.example.com:8443" → "web.example.com"; IPv6 literals kept whole).</summary>
    private static string HostName(string host) =>
        host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)]
        : host.LastIndexOf(':') is var colon and > 0 ? host[..colon]
        : host;

    private static FileStream? Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A file's first bytes, which tell it from the file that replaces it (the first entry's timestamp, to the microsecond; a shorter file is new anyway).</summary>
    private static byte[] Head(FileStream file)
    {
        var position = file.Position;
        var head = new byte[Math.Min(512, (int)Math.Min(file.Length, int.MaxValue))];
        file.Seek(0, SeekOrigin.Begin);
        file.ReadExactly(head);
        file.Seek(position, SeekOrigin.Begin);
        return head;
    }
}
