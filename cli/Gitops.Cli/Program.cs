using Gitops.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // Let the command stop cleanly; a second Ctrl+C is not needed.
    cancel.Cancel();
};

return PaasCli.Run(args, CliConsole.System() with { Cancellation = cancel.Token });
