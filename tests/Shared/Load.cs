using System.Diagnostics;

namespace Gitops.Tests;

/// <summary>What a steady stream of requests saw: every non-2xx and every connection error counts as failed.</summary>
public sealed record LoadResult(int Total, int Failed, IReadOnlyList<string> Errors, TimeSpan P50, TimeSpan P99, IReadOnlyDictionary<string, int> Bodies);

/// <summary>
/// Sends requests at a steady rate (each of <c>workers</c> loops paces itself) until stopped, and
/// counts failures. Used by the zero-downtime tests; the rollout benchmark uses it at full count.
/// </summary>
public static class Load
{
    public static async Task<LoadResult> RunAsync(Func<HttpClient> client, Uri url, int ratePerSecond, CancellationToken stop, int limit = int.MaxValue)
    {
        const int Workers = 16;
        var interval = TimeSpan.FromSeconds((double)Workers / ratePerSecond);
        var latencies = new List<double>();
        var errors = new List<string>();
        var bodies = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        var tasks = Enumerable.Range(0, Workers).Select(async worker =>
        {
            using var http = client();
            await Task.Delay(interval * worker / Workers, CancellationToken.None);
            var next = Stopwatch.GetTimestamp();
            while (!stop.IsCancellationRequested && total < limit)
            {
                var watch = Stopwatch.StartNew();
                string? error = null;
                string? body = null;
                try
                {
                    using var response = await http.GetAsync(url, CancellationToken.None);
                    body = (await response.Content.ReadAsStringAsync(CancellationToken.None)).Trim();
                    error = response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode}";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    error = e.InnerException is { } inner ? $"{e.Message} ({inner.GetType().Name}: {inner.Message})" : e.Message; // the inner one says which side broke off
                }

                lock (errors)
                {
                    total++;
                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                    if (error is not null)
                    {
                        errors.Add(error);
                    }
                    else
                    {
                        bodies[body!] = bodies.GetValueOrDefault(body!) + 1;
                    }
                }

                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, CancellationToken.None);
                }
            }
        }).ToList();
        await Task.WhenAll(tasks);
        latencies.Sort();
        return new LoadResult(total, errors.Count, errors, Percentile(latencies, 0.50), Percentile(latencies, 0.99), bodies);
    }

    private static TimeSpan Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))]);
}
