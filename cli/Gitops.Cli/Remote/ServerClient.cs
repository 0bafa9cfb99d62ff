using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gitops.Engine.Targets;

namespace Gitops.Cli.Remote;

/// <summary>
/// The CLI's remote mode: the JSON API of a <c>paas server</c>. Failures become messages a user
/// can act on (server unreachable, token refused, not found), never stack traces.
/// </summary>
public sealed class ServerClient : IDisposable
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly HttpClient _http;
    private readonly CancellationToken _cancellation;

    public ServerClient(string server, string token, CancellationToken cancellation)
    {
        Server = server.TrimEnd('/');
        _cancellation = cancellation;
        _http = new HttpClient { BaseAddress = new Uri(Server + "/"), Timeout = Timeout.InfiniteTimeSpan }; // each call has its own (Send)
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public string Server { get; }

    /// <summary>The Authorization header's value, for connections made outside this client (a WebSocket).</summary>
    internal string Authorization => _http.DefaultRequestHeaders.Authorization!.ToString();

    /// <summary>
    /// The server to use: <c>--server</c> or <c>PAAS_SERVER</c> (token from <c>PAAS_TOKEN</c> or a
    /// login to that server), else the one <c>paas login</c> saved; null means work locally.
    /// </summary>
    public static ServerClient? Resolve(string? server, string? dataDir, CancellationToken cancellation)
    {
        var login = Login.Load(DataDirectory.Resolve(dataDir));
        server ??= Environment.GetEnvironmentVariable("PAAS_SERVER");
        if (server is null)
        {
            return login is null ? null : Checked(login.Server, Environment.GetEnvironmentVariable("PAAS_TOKEN") ?? login.Token, login.InsecureHttp, cancellation);
        }

        var saved = login is not null && login.Server.TrimEnd('/') == server.TrimEnd('/') ? login : null;
        var token = Environment.GetEnvironmentVariable("PAAS_TOKEN")
            ?? saved?.Token
            ?? throw new CliException(ExitCodes.Usage, $"no token for {server}: run paas login --server {server} (or set PAAS_TOKEN)");
        return Checked(server, token, saved?.InsecureHttp == true, cancellation);
    }

    /// <summary>A client for an address that may carry the token: https, loopback, or plain HTTP someone allowed.</summary>
    private static ServerClient Checked(string server, string token, bool allowedAtLogin, CancellationToken cancellation)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"server '{server}' is not an http(s) address");
        }

        try
        {
            Gitops.Server.TransportPolicy.CheckServer(uri, allowedAtLogin || Environment.GetEnvironmentVariable("PAAS_INSECURE_HTTP") == "1");
        }
        catch (Gitops.Server.InsecureTransportException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message);
        }

        return new ServerClient(server, token, cancellation);
    }

    public T Get<T>(string path) => Send<T>(HttpMethod.Get, path);

    public T Post<T>(string path, object? body = null) => Send<T>(HttpMethod.Post, path, body);

    /// <summary>A call that runs a deployment on the server (a restart): answered when it ended, within <paramref name="patience"/>.</summary>
    public T Post<T>(string path, object? body, TimeSpan patience) => Send<T>(HttpMethod.Post, path, body, patience);

    public T Put<T>(string path, object body) => Send<T>(HttpMethod.Put, path, body);

    public T Delete<T>(string path) => Send<T>(HttpMethod.Delete, path);

    /// <summary>
    /// Reads a server-sent event stream until it ends, calling <paramref name="onEvent"/> with each event's
    /// name (<c>message</c> when it has none) and data. No overall timeout: a follow lasts until interrupted.
    /// </summary>
    public void Events(string path, Action<string, string> onEvent) => Events(HttpMethod.Get, path, onEvent);

    /// <summary>As <see cref="Events(string, Action{string, string})"/>, for a call that starts something and streams its progress (a backup).</summary>
    public void Events(HttpMethod method, string path, Action<string, string> onEvent)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { }, options: JsonOptions);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var streaming = new HttpClient { BaseAddress = _http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        streaming.DefaultRequestHeaders.Authorization = _http.DefaultRequestHeaders.Authorization;
        HttpResponseMessage response;
        try
        {
            response = streaming.Send(request, HttpCompletionOption.ResponseHeadersRead, _cancellation);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Failed, $"cannot reach the paas server at {Server}: {e.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var answer = response.Content.ReadAsStringAsync(_cancellation).GetAwaiter().GetResult();
                throw response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized => new CliException(ExitCodes.Failed, $"the paas server at {Server} refused the token; run paas login again"),
                    HttpStatusCode.Forbidden => new CliException(ExitCodes.Failed, ErrorOf(answer) ?? "your role does not allow this"),
                    HttpStatusCode.NotFound or HttpStatusCode.BadRequest => new CliException(ExitCodes.InvalidInput, ErrorOf(answer) ?? $"not found on {Server}: {path}"),
                    _ => new CliException(ExitCodes.Failed, $"the paas server at {Server} answered {(int)response.StatusCode}: {ErrorOf(answer) ?? response.ReasonPhrase}"),
                };
            }

            using var reader = new StreamReader(response.Content.ReadAsStream(_cancellation));
            var name = "message";
            var data = new System.Text.StringBuilder();
            while (ReadLine(reader) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        onEvent(name, data.ToString());
                    }

                    (name, data) = ("message", data.Clear());
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(data.Length > 0 ? "\n" : "").Append(line[5..].TrimStart());
                }
            }
        }
    }

    /// <summary>The next line, or null at the end or once interrupted (Ctrl+C ends a follow normally).</summary>
    private string? ReadLine(StreamReader reader)
    {
        try
        {
            return reader.ReadLineAsync(_cancellation).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            return null;
        }
        catch (IOException) when (_cancellation.IsCancellationRequested)
        {
            return null;
        }
        catch (IOException e)
        {
            throw new CliException(ExitCodes.Failed, $"the paas server at {Server} broke off the stream: {e.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>How long a call waits for its answer unless it says otherwise.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private T Send<T>(HttpMethod method, string path, object? body = null, TimeSpan? patience = null)
    {
        var wait = patience ?? Patience;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
        timeout.CancelAfter(wait);
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post || method == HttpMethod.Put)
        {
            request.Content = JsonContent.Create(body ?? new { }, options: JsonOptions); // the API takes JSON bodies only
        }

        HttpResponseMessage response;
        try
        {
            response = _http.Send(request, timeout.Token);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Failed, $"cannot reach the paas server at {Server}: {e.Message}");
        }
        catch (TaskCanceledException) when (!_cancellation.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Failed, $"the paas server at {Server} did not answer within {wait.TotalSeconds:0} s");
        }

        using (response)
        {
            var answer = response.Content.ReadAsStringAsync(_cancellation).GetAwaiter().GetResult();
            return response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => throw new CliException(ExitCodes.Failed, $"the paas server at {Server} refused the token; run paas login again"),
                HttpStatusCode.Forbidden => throw new CliException(ExitCodes.Failed, ErrorOf(answer) ?? "your role does not allow this"),
                HttpStatusCode.NotFound => throw new CliException(ExitCodes.InvalidInput, ErrorOf(answer) ?? $"not found on {Server}: {path}"),
                _ when !response.IsSuccessStatusCode => throw new CliException(ExitCodes.Failed, $"the paas server at {Server} answered {(int)response.StatusCode}: {ErrorOf(answer) ?? response.ReasonPhrase}"),
                _ => JsonSerializer.Deserialize<T>(answer, JsonOptions) ?? throw new CliException(ExitCodes.Failed, $"the paas server at {Server} sent an empty answer to {path}"),
            };
        }
    }

    private static string? ErrorOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
