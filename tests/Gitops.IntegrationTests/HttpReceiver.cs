using System.Collections.Concurrent;
using System.Net;

namespace Gitops.IntegrationTests;

/// <summary>
/// A local HTTP server that records every request (method, path, headers, body) and answers with
/// the status the test sets: the stand-in for Slack's, Discord's and Telegram's endpoints and a
/// webhook's receiver. <see cref="Stop"/> and <see cref="Start"/> make it refuse connections and
/// come back on the same port.
/// </summary>
internal sealed class HttpReceiver : IDisposable
{
    private HttpListener? _listener;

    public HttpReceiver() => Start();

    public int Port { get; } = FreePort.Next();

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>What the receiver answers: 200 unless the test says otherwise.</summary>
    public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

    public string AnswerBody { get; set; } = "{\"ok\":true}";

    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Body);

        public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
    }

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        var listener = _listener;
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
                var answer = Answer;
                if (answer == HttpStatusCode.OK)
                {
                    Requests.Enqueue(new Received(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body.ToArray()));
                }

                context.Response.StatusCode = (int)answer;
                var bytes = System.Text.Encoding.UTF8.GetBytes(answer == HttpStatusCode.OK ? AnswerBody : "{\"ok\":false,\"description\":\"down for maintenance\"}");
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
    }

    /// <summary>Closes the port: connections are refused until <see cref="Start"/>.</summary>
    public void Stop()
    {
        _listener?.Stop();
        _listener?.Close();
        _listener = null;
    }

    public void Dispose() => Stop();
}
