using Spectre.Console;

namespace Gitops.Cli.Commands;

/// <summary>
/// The block the quick start ends with: where the app answers, how to enter the dashboard, how
/// to change the app and promote it, and how to stop. Every command in it works as printed.
/// </summary>
internal sealed class QuickstartSummary(CliConsole console, string data, string project, SampleRepository repository)
{
    public void Write(TimeSpan took, IReadOnlyList<(string Environment, string Url)> urls, IReadOnlyList<(string Environment, string Url)> containers,
        QuickstartSignIn signIn, string? certificateAuthority, bool exiting)
    {
        var dataDir = Quote(data);
        console.Human.WriteLine();
        console.Human.MarkupLine($"[bold green]Ready in {took.TotalSeconds:0.0} s.[/] {Markup.Escape(project)} runs in {urls.Count} environments:");
        foreach (var (environment, url) in urls)
        {
            var container = containers.FirstOrDefault(c => c.Environment == environment).Url;
            Line(environment, $"{url}{(container is null || container == url ? "" : $"  (its container: {container})")}");
        }

        if (certificateAuthority is not null)
        {
            Line("", $"browsers and curl resolve *.localhost to this machine; trust the local CA to avoid the warning: {certificateAuthority}");
        }

        console.Human.WriteLine();
        Line("Dashboard", signIn.Link);
        Line("", $"a one-time sign-in link, valid {Gitops.Engine.Access.SignInLinks.Lifetime.TotalMinutes:0} minutes, as {signIn.User}; the next quick start prints a new one");
        if (signIn.Password is { } password)
        {
            Line("", $"{signIn.User}'s password, shown this once: {password}");
        }

        Line("Change it", $"cd {Quote(repository.Work)} && git switch develop");
        Line("", "edit www/index.html, then: git commit -am 'my change' && git push");
        Line("", "the server sees the push within 5 s and deploys it to dev (develop → dev, main → production)");
        Line("Promote it", $"./paas promote {project} --from dev --to production --merge --data-dir {dataDir}");
        Line("", "production then runs the image dev runs, not a rebuild");
        Line("See it", $"./paas status --project {project} --env dev --data-dir {dataDir}    ./paas history --project {project} --env dev --data-dir {dataDir}");
        Line("Stop", exiting
            ? "the server stopped (--exit-when-ready); the app keeps running, and ./paas quickstart starts the server again"
            : "Ctrl+C stops the server; the app keeps running, and ./paas quickstart starts the server again");
    }

    private void Line(string label, string text) => console.Human.MarkupLine($"  [bold]{Markup.Escape(label),-11}[/] {Markup.Escape(text)}");

    /// <summary>Paths with spaces still paste into a shell as one argument.</summary>
    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;
}
