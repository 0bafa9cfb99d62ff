using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gitops.Clouds.Tests;

/// <summary>
/// What went on the wire under the SigV4 signer: <see cref="Handler"/> is the transport's
/// <c>inner</c> factory (one handler per AWS service's client), each request as sent, signed, with
/// its answer, kept as text.
/// </summary>
/// <param name="under">The handler under the recorder (one trusting a fake's certificate); default: sockets.</param>
internal sealed class WireRecorder(Func<HttpMessageHandler>? under = null)
{
    private readonly ConcurrentQueue<RecordedExchange> _exchanges = new();

    public IReadOnlyList<RecordedExchange> Exchanges => [.. _exchanges];

    public HttpMessageHandler Handler() => new Recording(_exchanges, under?.Invoke() ?? new SocketsHttpHandler());

    private sealed class Recording(ConcurrentQueue<RecordedExchange> exchanges, HttpMessageHandler inner) : DelegatingHandler(inner)
    {

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            exchanges.Enqueue(new RecordedExchange(request.Method.Method, request.RequestUri!, headers, body, answer));
            return response;
        }
    }
}

internal sealed record RecordedExchange(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body, string Answer)
{
    public override string ToString() => $"{Method} {Uri}\n" + string.Join("\n", Headers.Select(h => $"{h.Key}: {h.Value}")) + "\n\n" + Body + "\n\n" + Answer;
}

/// <summary>Keeps every line logged at any level, with its exception, as text.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join("\n", _lines);

    public int Count => _lines.Count;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _lines.Enqueue($"{logLevel} {eventId}: {formatter(state, exception)} {exception} {state}");
    }
}
