using System.Text.RegularExpressions;
using Gitops.Schema.Yaml;

namespace Gitops.Schema.Import;

/// <summary>
/// healthcheck → health. A check that only fetches a local URL with curl or wget becomes the
/// manifest's HTTP check (the platform probes it; the image needs no curl); any other test is
/// carried as a command, through /bin/sh -c only when it needs a shell, as Compose's CMD-SHELL does.
/// </summary>
internal sealed partial class ComposeServiceImport
{
    private void Health()
    {
        if (Get("healthcheck") is not { } node)
        {
            return;
        }

        if (node is not YMapping map)
        {
            Drop("healthcheck", node, "expected a mapping (test, interval, timeout, retries, start_period)");
            return;
        }

        if (map["disable"] is YScalar disable && ComposeUnits.Boolean(disable.Value) == true)
        {
            return; // no check, as Compose
        }

        var health = new ImportedHealth();
        foreach (var entry in map.Entries)
        {
            var (key, value) = (entry.Key.Value, entry.Value);
            switch (key)
            {
                case "test":
                    if (Probe(value) is not { } probe)
                    {
                        return; // no test (NONE), or one that cannot be carried (noted): no check
                    }

                    health = health with { Command = probe.Command, Path = probe.Path, Port = probe.Port };
                    break;
                case "interval" or "timeout" or "start_period":
                    if (Text($"healthcheck.{key}", value) is not { } text)
                    {
                        break; // noted: it needs a variable
                    }

                    var duration = ComposeUnits.Duration(text);
                    if (duration is null || (key != "start_period" && duration.Value.Value <= TimeSpan.Zero))
                    {
                        Drop($"healthcheck.{key}", value, "not a duration like 30s or 1m30s (longer than 0 for interval and timeout); paas's default is used");
                    }
                    else
                    {
                        health = key switch
                        {
                            "interval" => health with { Interval = duration },
                            "timeout" => health with { Timeout = duration },
                            _ => health with { StartPeriod = duration },
                        };
                    }

                    break;
                case "retries":
                    if (Text("healthcheck.retries", value) is not { } count)
                    {
                        break; // noted: it needs a variable
                    }

                    var retries = ComposeUnits.Integer(count, 0, int.MaxValue);
                    if (retries is null)
                    {
                        Drop("healthcheck.retries", value, "not a whole number; paas's default (3) is used");
                    }
                    else
                    {
                        if (retries is < 1 or > 100)
                        {
                            Change("healthcheck.retries", value, $"paas.yaml takes 1 to 100 retries: {Math.Clamp(retries.Value, 1, 100)}");
                        }

                        health = health with { Retries = Math.Clamp(retries.Value, 1, 100) };
                    }

                    break;
                case "start_interval":
                    Drop("healthcheck.start_interval", value, "paas probes a starting replica every 150 ms until it passes, then every interval");
                    break;
                case "disable":
                    break;
                default:
                    Drop($"healthcheck.{key}", value, $"'{key}' is not a key of Compose's healthcheck");
                    break;
            }
        }

        if (health.Command is null && health.Path is null)
        {
            Drop("healthcheck", node, "without test, Compose tunes the image's own HEALTHCHECK, which paas.yaml cannot name; give a test to carry a check");
            return;
        }

        if (health.Path is not null && health.Port is null && _service.Port is null)
        {
            health = health with { Port = 80 };
        }
        else if (health.Port == _service.Port)
        {
            health = health with { Port = null };
        }

        _service.Health = health;
    }

    private sealed record HealthProbe(IReadOnlyList<string>? Command, string? Path, int? Port);

    /// <summary>The test as an HTTP check or a command; null for NONE or a test that cannot be carried (noted).</summary>
    private HealthProbe? Probe(YNode test)
    {
        List<string> command;
        string? shell = null;
        if (test is YScalar scalar)
        {
            shell = Text("healthcheck.test", scalar);
            if (shell is null)
            {
                return null;
            }

            command = [];
        }
        else if (test is YSequence list && _context.Texts(list, _compose, "healthcheck.test") is { Count: > 0 } items)
        {
            switch (items[0])
            {
                case "NONE":
                    return null;
                case "CMD" when items.Count > 1:
                    command = items[1..];
                    break;
                case "CMD-SHELL" when items.Count == 2:
                    shell = items[1];
                    command = [];
                    break;
                default:
                    Drop("healthcheck.test", test, "expected [\"CMD\", program, args…], [\"CMD-SHELL\", \"command line\"] or [\"NONE\"]");
                    return null;
            }
        }
        else
        {
            if (test is not YSequence)
            {
                Drop("healthcheck.test", test, "expected a command line or a list");
            }

            return null;
        }

        if (shell is not null)
        {
            // `… || exit 1` only turns any failure into 1: the check fails the same without it.
            var line = ExitOne().Replace(shell, "");
            command = line.AsSpan().IndexOfAny(ShellOnly) < 0 && ShellWords.Split(line, out _) is { Count: > 0 } words && !words[0].Contains('=', StringComparison.Ordinal)
                ? [.. words]
                : ["/bin/sh", "-c", shell];
        }

        if (command.Any(string.IsNullOrWhiteSpace))
        {
            Drop("healthcheck.test", test, "an empty argument: paas.yaml's check needs the program and its arguments, none of them empty");
            return null;
        }

        if (HttpProbe(command) is { } http)
        {
            Change("healthcheck.test", test, $"an HTTP check of {http.Path} on port {http.Port ?? 80}: the platform probes it itself (2xx or 3xx is healthy), so the image needs no {command[0]}");
            return http;
        }

        return new HealthProbe(command, null, null);
    }

    /// <summary>Characters that make a line need a shell (variables, globs, operators, redirections).</summary>
    private static readonly System.Buffers.SearchValues<char> ShellOnly = System.Buffers.SearchValues.Create("$*?[~|&;<>()`#");

    /// <summary>curl or wget of one local http URL with flags that only quieten or fail: the HTTP check it stands for.</summary>
    private static HealthProbe? HttpProbe(List<string> command)
    {
        if (command.Count < 2)
        {
            return null;
        }

        var program = command[0].Split('/')[^1];
        var (flags, takesValue) = program switch
        {
            "curl" => (CurlFlags, CurlValued),
            "wget" => (WgetFlags, WgetValued),
            _ => ((HashSet<string>?)null, (HashSet<string>?)null),
        };
        if (flags is null || takesValue is null)
        {
            return null;
        }

        string? url = null;
        for (var i = 1; i < command.Count; i++)
        {
            var argument = command[i];
            if (takesValue.Contains(argument) && i + 1 < command.Count)
            {
                if (argument is "-o" or "--output" or "-O" && command[i + 1] is not ("/dev/null" or "-"))
                {
                    return null;
                }

                i++;
            }
            else if (argument.StartsWith('-'))
            {
                if (!flags.Contains(argument.Split('=')[0]))
                {
                    return null;
                }
            }
            else if (url is null)
            {
                url = argument;
            }
            else
            {
                return null;
            }
        }

        var match = url is null ? null : LocalUrl().Match(url);
        if (match is not { Success: true })
        {
            return null;
        }

        var port = match.Groups["port"].Success ? ComposeUnits.Integer(match.Groups["port"].Value, 1, 65535) : 80;
        var path = match.Groups["path"].Success && match.Groups["path"].Value.Length > 0 ? match.Groups["path"].Value : "/";
        return port is null ? null : new HealthProbe(null, path, port);
    }

    private static readonly HashSet<string> CurlFlags = new(StringComparer.Ordinal)
    {
        "-f", "--fail", "-s", "--silent", "-S", "--show-error", "-fs", "-sf", "-fsS", "-sS", "-sSf", "-Sf", "-fS", "-fsSL", "-fSs", "-sfS", "-sSfL", "-L", "--location", "--fail-with-body", "-I", "--head", "-q", "--no-progress-meter",
    };

    private static readonly HashSet<string> CurlValued = new(StringComparer.Ordinal) { "-o", "--output", "-m", "--max-time", "--connect-timeout", "--retry" };

    private static readonly HashSet<string> WgetFlags = new(StringComparer.Ordinal)
    {
        "-q", "--quiet", "--spider", "-nv", "--no-verbose", "-qO-", "-O-", "-qO", "--proxy", "--no-check-certificate", "--tries", "--timeout", "-S", "--server-response",
    };

    private static readonly HashSet<string> WgetValued = new(StringComparer.Ordinal) { "-O", "-T", "-t", "-Y", "-qO" };

    [GeneratedRegex(@"\s*\|\|\s*exit\s+1\s*$")]
    private static partial Regex ExitOne();

    [GeneratedRegex(@"^(http://)?(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(:(?<port>[0-9]{1,5}))?(?<path>/[^\s#]*)?$")]
    private static partial Regex LocalUrl();
}
