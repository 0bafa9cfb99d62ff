using System.Globalization;

namespace Gitops.Engine.Scaling;

/// <summary>A change of replica count the autoscaler decided, and the reading that asked for it.</summary>
public sealed record ScaleDecision(string Service, int From, int To, string Why)
{
    public string Direction => To > From ? "up" : "down";

    public override string ToString() => $"{Service} {From.ToString(CultureInfo.InvariantCulture)} → {To.ToString(CultureInfo.InvariantCulture)} ({Why})";
}

/// <summary>
/// Turns each service's stream of recommendations into changes that do not flap: up at once (at
/// most doubling, and not again within the cooldown), down only to the most replicas any reading
/// of the last window asked for, and only once a whole window has been watched. The clock is given,
/// so tests drive it.
/// </summary>
public sealed class ScaleDecider(AutoscalerConfig config)
{
    private readonly Dictionary<string, Track> _tracks = new(StringComparer.Ordinal);

    /// <returns>The change to make, or null with what the autoscaler waits for.</returns>
    public (ScaleDecision? Decision, string Note) Decide(string key, string service, int current, Recommendation recommendation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(recommendation);
        var window = config.ScaleDownWindow.Value;
        if (!_tracks.TryGetValue(key, out var track))
        {
            _tracks[key] = track = new Track(now);
        }

        track.Readings.Add((now, recommendation.Replicas));
        track.Readings.RemoveAll(r => r.At < now - window);
        if (recommendation.Replicas > current)
        {
            if (track.LastChange is { } last && now - last < config.Cooldown.Value)
            {
                return (null, $"wants {recommendation.Replicas.ToString(CultureInfo.InvariantCulture)} ({recommendation.Why}); cooling down until {(last + config.Cooldown.Value).ToString("HH:mm:ss", CultureInfo.InvariantCulture)}");
            }

            var to = Math.Min(recommendation.Replicas, Math.Max(current * 2, current + 1));
            track.LastChange = now;
            return (new ScaleDecision(service, current, to, recommendation.Why), $"scaling up: {recommendation.Why}");
        }

        if (recommendation.Replicas < current)
        {
            var highest = track.Readings.Max(r => r.Replicas);
            if (now - track.Since < window || highest >= current)
            {
                var from = highest >= current ? track.Readings.Last(r => r.Replicas >= current).At : track.Since;
                return (null, $"wants {recommendation.Replicas.ToString(CultureInfo.InvariantCulture)} ({recommendation.Why}); scaling down after {(from + window).ToString("HH:mm:ss", CultureInfo.InvariantCulture)} if it still does");
            }

            track.LastChange = now;
            return (new ScaleDecision(service, current, highest, $"{recommendation.Why} for {Seconds(window)}"), $"scaling down: {recommendation.Why}");
        }

        return (null, recommendation.Why);
    }

    /// <summary>A change that could not be made: not tried again before the cooldown passed.</summary>
    public void Failed(string key, DateTimeOffset now)
    {
        if (_tracks.TryGetValue(key, out var track))
        {
            track.LastChange = now;
        }
    }

    /// <summary>Services no longer autoscaled (or gone) start afresh if they come back.</summary>
    public void Keep(IReadOnlySet<string> keys)
    {
        foreach (var gone in _tracks.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            _tracks.Remove(gone);
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    private sealed class Track(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public DateTimeOffset? LastChange { get; set; }

        public List<(DateTimeOffset At, int Replicas)> Readings { get; } = [];
    }
}
