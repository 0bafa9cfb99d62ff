using Gitops.Cli;

return PaasCli.Run(args, CliConsole.System());
