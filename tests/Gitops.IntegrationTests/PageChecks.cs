using Microsoft.Playwright;

namespace Gitops.IntegrationTests;

/// <summary>
/// What every dashboard page the UI tests visit must pass, in the light and in the dark scheme:
/// axe-core's rules with no serious or critical violation; and a screenshot of each, into
/// artifacts/screenshots, or where PAAS_SCREENSHOTS says (scripts/screenshots.sh: docs/screenshots).
/// axe is added as an init script (through the browser's protocol, as the test's own code), so the
/// page's strict Content-Security-Policy stays in force: a script tag of it would be inline script.
/// </summary>
internal sealed class PageChecks
{
    private static readonly string Axe = Path.Combine(RepositoryRoot.Path, "ui", "node_modules", "axe-core", "axe.min.js");

    private const string Run = """
        async () => {
          const result = await axe.run(document, { resultTypes: ['violations'] });
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.impact} ${v.id} (${v.help}): ` + v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary.replaceAll('\n', ' ')}`).join(' | '));
        }
        """;

    private readonly IPage _page;
    private readonly List<string> _violations = [];

    private PageChecks(IPage page) => _page = page;

    /// <summary>Where screenshots go: PAAS_SCREENSHOTS (relative to the repository), else artifacts/screenshots.</summary>
    public static string Directory => System.IO.Directory.CreateDirectory(Path.Combine(RepositoryRoot.Path,
        Environment.GetEnvironmentVariable("PAAS_SCREENSHOTS") is { Length: > 0 } asked ? asked : Path.Combine("artifacts", "screenshots"))).FullName;

    /// <summary>Adds axe to every document the page loads from now on (call before its first navigation).</summary>
    public static async Task<PageChecks> ForAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        Assert.True(File.Exists(Axe), $"{Axe} is missing: run npm ci in ui/ (the server's build does)");
        await page.AddInitScriptAsync(scriptPath: Axe);
        return new PageChecks(page);
    }

    /// <summary>Checks the page as it is now in both schemes; with a <paramref name="screenshot"/> name, saves NAME.png and NAME-dark.png.</summary>
    public async Task CheckAsync(string page, string? screenshot = null)
    {
        foreach (var (scheme, suffix) in new[] { (ColorScheme.Light, ""), (ColorScheme.Dark, "-dark") })
        {
            await _page.EmulateMediaAsync(new() { ColorScheme = scheme });
            var found = await _page.EvaluateAsync<string[]>(Run);
            _violations.AddRange(found.Select(v => $"{page} ({scheme}): {v}"));
            if (screenshot is not null)
            {
                await _page.ScreenshotAsync(new() { Path = Path.Combine(Directory, $"{screenshot}{suffix}.png"), FullPage = true });
            }
        }

        await _page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
    }

    /// <summary>Fails with every violation found, each with its rule, its elements and what axe says to fix.</summary>
    public void AssertNoSeriousViolation() =>
        Assert.True(_violations.Count == 0, $"{_violations.Count} serious or critical accessibility violations:\n" + string.Join("\n", _violations));
}
