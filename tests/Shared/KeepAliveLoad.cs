using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Gitops.Tests;

/// <param name="Requests">Requests answered with a status below 400.</param>
/// <param name="Errors">Requests that got no answer (the connection broke under them), a failed connection, or a status of 400 or more.</param>
public sealed record KeepAliveResult(long Requests, long Errors, IReadOnlyList<string> FirstErrors)
{
    public override string ToString() => $"{Requests} answered, {Errors} failed{(FirstErrors.Count > 0 ? ": " + string.Join("; ", FirstErrors) : "")}";
}

/// <summary>
/// Keep-alive clients at saturation, as wrk runs them: each of <c>connections</c> HTTP/1.1
/// connections over TLS sends its next request as soon as the last answer is read, and a request
/// whose connection breaks counts as failed: no retry (browsers and HttpClient retry such a request
/// on a new connection, which hides exactly what this measures). Connects to 127.0.0.1 with the
/// TLS name and Host header of <c>host</c>, so no resolver is needed.
/// </summary>
public static class KeepAliveLoad
{
    /// <param name="trust">Which server certificates to accept (the test ingress's own CA); null: plain HTTP.</param>
    /// <param name="rate">Requests per second over all connections, each pacing itself; null: as fast as answers come.</param>
    /// <param name="stop">Ends the run before <paramref name="duration"/> is over.</param>
    public static async Task<KeepAliveResult> RunAsync(string host, int port, string path, TimeSpan duration, RemoteCertificateValidationCallback? trust, int connections = 32, double? rate = null, CancellationToken stop = default)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var gap = rate is { } perSecond ? (long)(connections / perSecond * Stopwatch.Frequency) : 0;
        long requests = 0, errors = 0;
        var first = new List<string>();
        void Fail(string why)
        {
            Interlocked.Increment(ref errors);
            lock (first)
            {
                if (first.Count < 10)
                {
                    first.Add(why);
                }
            }
        }

        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}:{port.ToString(CultureInfo.InvariantCulture)}\r\nUser-Agent: paas-keepalive-load\r\n\r\n");
        await Task.WhenAll(Enumerable.Range(0, connections).Select(index => Task.Run(async () =>
        {
            var next = Stopwatch.GetTimestamp() + gap * index / connections; // spread over the first gap
            while (Stopwatch.GetTimestamp() < deadline && !stop.IsCancellationRequested)
            {
                using var tcp = new TcpClient { NoDelay = true };
                Stream tls;
                try
                {
                    await tcp.ConnectAsync("127.0.0.1", port);
                    tls = tcp.GetStream();
                    if (trust is not null)
                    {
                        var secure = new SslStream(tls, leaveInnerStreamOpen: false, trust);
                        await secure.AuthenticateAsClientAsync(host);
                        tls = secure;
                    }
                }
                catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
                {
                    Fail($"connect: {e.Message}");
                    await Task.Delay(50);
                    continue;
                }

                await using (tls)
                {
                    var reader = new ResponseReader(tls);
                    while (Stopwatch.GetTimestamp() < deadline && !stop.IsCancellationRequested)
                    {
                        if (gap > 0)
                        {
                            var wait = next - Stopwatch.GetTimestamp();
                            if (wait > 0)
                            {
                                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), CancellationToken.None);
                            }

                            next = Math.Max(next + gap, Stopwatch.GetTimestamp() - gap); // a late answer is not made up for with a burst
                        }

                        try
                        {
                            await tls.WriteAsync(request);
                            var (status, close) = await reader.ReadAsync();
                            if (status >= 400)
                            {
                                Fail($"status {status}");
                            }
                            else
                            {
                                Interlocked.Increment(ref requests);
                            }

                            if (close)
                            {
                                break; // the server said so in its answer: not an error
                            }
                        }
                        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
                        {
                            Fail($"request: {e.Message}");
                            break;
                        }
                    }
                }
            }
        })));
        return new KeepAliveResult(requests, errors, first);
    }

    /// <summary>Reads HTTP/1.1 answers with a Content-Length (the ingress always sends one for the test's pages).</summary>
    private sealed class ResponseReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<(int Status, bool Close)> ReadAsync()
        {
            int headerEnd;
            while ((headerEnd = HeaderEnd()) < 0)
            {
                await FillAsync();
            }

            var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
            _start = headerEnd + 4;
            var lines = head.Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0].Trim().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First()[1].Trim()); // a header may repeat (Server: from each proxy)
            if (!headers.TryGetValue("content-length", out var lengthText))
            {
                throw new InvalidDataException($"an answer without Content-Length ({lines[0]})");
            }

            var length = int.Parse(lengthText, CultureInfo.InvariantCulture);
            while (_end - _start < length)
            {
                await FillAsync();
            }

            _start += length;
            return (status, headers.TryGetValue("connection", out var connection) && connection.Equals("close", StringComparison.OrdinalIgnoreCase));
        }

        private int HeaderEnd()
        {
            for (var i = _start; i + 3 < _end; i++)
            {
                if (_buffer[i] == '\r' && _buffer[i + 1] == '\n' && _buffer[i + 2] == '\r' && _buffer[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        private async Task FillAsync()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end));
            if (read == 0)
            {
                throw new IOException("the server closed the connection before answering");
            }

            _end += read;
        }
    }
}
