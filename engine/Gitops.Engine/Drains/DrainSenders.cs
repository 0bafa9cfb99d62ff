using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gitops.Engine.Drains;

/// <summary>Sends one batch to a drain's far end; throws when it did not take it (the batch is sent again).</summary>
public interface IDrainSender
{
    Task SendAsync(IReadOnlyList<DrainRecord> batch, CancellationToken cancellationToken);
}

/// <summary>The sender a drain's kind needs.</summary>
public static class DrainSenders
{
    public static IDrainSender For(DrainConfig drain, HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(drain);
        return drain.Kind switch
        {
            DrainKind.Otlp => new OtlpSender(http, new Uri(drain.Url!)),
            DrainKind.Syslog => new SyslogSender(drain),
            _ => new JsonLinesSender(http, new Uri(drain.Url!)),
        };
    }

    /// <summary>POSTs <paramref name="body"/> gzipped; anything but 2xx is a failure the shipper retries.</summary>
    internal static async Task PostAsync(HttpClient http, Uri url, string contentType, byte[] body, CancellationToken cancellationToken)
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await http.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>One JSON object per line: <c>{"time","log","project","environment","service","source","stream","message"}</c>.</summary>
    private sealed class JsonLinesSender(HttpClient http, Uri url) : IDrainSender
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

        public Task SendAsync(IReadOnlyList<DrainRecord> batch, CancellationToken cancellationToken)
        {
            var body = new StringBuilder();
            foreach (var record in batch)
            {
                body.Append(JsonSerializer.Serialize(record, Json)).Append('\n');
            }

            return PostAsync(http, url, "application/x-ndjson", Encoding.UTF8.GetBytes(body.ToString()), cancellationToken);
        }
    }

    /// <summary>
    /// OTLP/HTTP's JSON encoding of <c>ExportLogsServiceRequest</c>: one resource per project,
    /// environment and service (<c>service.name</c>, <c>deployment.environment</c>, <c>paas.project</c>),
    /// each line a log record with its time, body and stream (<c>log.iostream</c>); stderr is severity WARN.
    /// </summary>
    private sealed class OtlpSender(HttpClient http, Uri url) : IDrainSender
    {
        public Task SendAsync(IReadOnlyList<DrainRecord> batch, CancellationToken cancellationToken)
        {
            var resources = new JsonArray();
            foreach (var group in batch.GroupBy(r => (r.Project, r.Environment, Service: r.Service ?? "paas-deploy")))
            {
                var records = new JsonArray();
                foreach (var record in group)
                {
                    var nanos = ((record.Time.ToUnixTimeMilliseconds() * 1_000_000L) + (record.Time.Ticks % TimeSpan.TicksPerMillisecond * 100)).ToString(CultureInfo.InvariantCulture);
                    records.Add(new JsonObject
                    {
                        ["timeUnixNano"] = nanos,
                        ["observedTimeUnixNano"] = nanos,
                        ["severityNumber"] = record.Stream == "stderr" ? 13 : 9,
                        ["severityText"] = record.Stream == "stderr" ? "WARN" : "INFO",
                        ["body"] = new JsonObject { ["stringValue"] = record.Message },
                        ["attributes"] = new JsonArray(Attribute("log.iostream", record.Stream), Attribute("paas.log", record.Log), Attribute("paas.source", record.Source)),
                    });
                }

                resources.Add(new JsonObject
                {
                    ["resource"] = new JsonObject
                    {
                        ["attributes"] = new JsonArray(Attribute("service.name", group.Key.Service), Attribute("deployment.environment", group.Key.Environment), Attribute("paas.project", group.Key.Project)),
                    },
                    ["scopeLogs"] = new JsonArray(new JsonObject { ["scope"] = new JsonObject { ["name"] = "paas" }, ["logRecords"] = records }),
                });
            }

            var body = new JsonObject { ["resourceLogs"] = resources }.ToJsonString();
            return PostAsync(http, url, "application/json", Encoding.UTF8.GetBytes(body), cancellationToken);
        }

        private static JsonObject Attribute(string key, string value) => new() { ["key"] = key, ["value"] = new JsonObject { ["stringValue"] = value } };
    }
}
