using CommandLine;
using CommandLine.Text;
using Gitops.Cli.Commands;
using Gitops.Engine.Execution;
using Gitops.Engine.State;

namespace Gitops.Cli;

/// <summary>Parses the command line and runs one command. Returns the process exit code.</summary>
public static class PaasCli
{
    public static int Run(string[] args, CliConsole console) => Run(args, console, Console.In);

    /// <param name="input">Standard input: where secret values are read from.</param>
    public static int Run(string[] args, CliConsole console, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(console);
        PlatformProviders.Register();
        using var parser = new Parser(settings =>
        {
            settings.CaseInsensitiveEnumValues = true;
            settings.HelpWriter = null; // Help and errors are written below, to the right stream.
            settings.AutoVersion = true;
            settings.EnableDashDash = true; // paas exec SERVICE -- COMMAND ARGS…: what follows -- is the command's, never paas's
        });
        var parsed = parser.ParseArguments(args, Verbs);
        try
        {
            return parsed.MapResult((object options) => Dispatch(options, console, input), errors => Usage(parsed, errors.ToList(), console));
        }
        catch (CliException e)
        {
            console.Error.WriteLine($"paas: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (console.Cancellation.IsCancellationRequested)
        {
            console.Error.WriteLine("paas: cancelled; an apply that was interrupted is recovered by the next one");
            return 130;
        }
        catch (Exception e) when (e is PlanRefusedException or InvalidDataException) // a refused plan; a platform.yaml that does not bind (file:line:column)
        {
            console.Error.WriteLine($"paas: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or UnauthorizedAccessException or StateLockedException or LibGit2Sharp.LibGit2SharpException) // a TargetException is an InvalidOperationException
        {
            // Engine, Git and file-system failures: the message, not a stack trace (--verbose or PAAS_DEBUG=1 shows it).
            console.Error.WriteLine(Verbose(parsed) ? $"paas: {e}" : $"paas: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failure without a message of its own yet: still one line, with what to do.
            console.Error.WriteLine(Verbose(parsed)
                ? $"paas: {e}"
                : $"paas: {e.Message.TrimEnd('.')} ({e.GetType().Name}); run the command again with --verbose to see where, and report it: every failure should say what to do");
            return ExitCodes.Failed;
        }
    }

    private static bool Verbose(ParserResult<object> parsed) =>
        parsed.Value is CommonOptions { Verbose: true } || Environment.GetEnvironmentVariable("PAAS_DEBUG") == "1";

    /// <summary>Every verb, in the order <c>paas --help</c> lists them.</summary>
    internal static readonly Type[] Verbs =
    [
        typeof(ValidateOptions), typeof(InitOptions), typeof(ImportOptions), typeof(TemplatesOptions), typeof(SchemaOptions), typeof(PlanOptions), typeof(ApplyOptions),
        typeof(StatusOptions), typeof(HistoryOptions), typeof(LogsOptions), typeof(ExecOptions), typeof(RestartOptions), typeof(CronOptions), typeof(BackupOptions), typeof(NotifyOptions), typeof(DestroyOptions), typeof(SecretsOptions),
        typeof(RepoOptions), typeof(SyncOptions), typeof(ServerOptionsCli), typeof(QuickstartOptions), typeof(LoginOptions),
        typeof(LogoutOptions), typeof(EnvOptions), typeof(PromoteOptions), typeof(ApproveOptions), typeof(RollbackOptions),
        typeof(UsersOptions), typeof(TokensOptions), typeof(AuditOptions), typeof(AdminOptions), typeof(RegistryOptions), typeof(TargetOptions), typeof(FirewallOptions), typeof(CompletionOptions),
    ];

    private static int Dispatch(object options, CliConsole console, TextReader input)
    {
        RefuseJsonWithoutDocument(options);
        return Run(options, console, input);
    }

    /// <summary><c>-o json</c> on a command that writes no document is refused before it runs: never accepted and ignored.</summary>
    private static void RefuseJsonWithoutDocument(object options)
    {
        if (options is CommonOptions { Output: OutputFormat.Json } && CommandTree.Called(options) is var (verb, action) && !Output.CliDocuments.Writes(verb, action))
        {
            throw new CliException(ExitCodes.Usage, $"paas {verb}{(action is null ? "" : $" {action}")} writes no JSON document, so --output json does not apply to it; leave it out (docs/cli-json.md lists the commands that write one)");
        }
    }

    private static int Run(object options, CliConsole console, TextReader input) => options switch
    {
        ValidateOptions o => ValidateCommand.Run(o, console),
        InitOptions o => InitCommand.Run(o, console),
        ImportOptions o => ImportCommand.Run(o, console),
        TemplatesOptions o => TemplatesCommand.Run(o, console),
        SchemaOptions o => SchemaCommand.Run(o, console),
        PlanOptions o => PlanCommand.Run(o, console),
        ApplyOptions o => ApplyCommand.Run(o, console),
        StatusOptions o => StatusCommand.Run(o, console),
        HistoryOptions o => HistoryCommand.Run(o, console),
        LogsOptions o => LogsCommand.Run(o, console),
        ExecOptions o => ExecCommand.Run(o, console, input),
        RestartOptions o => RestartCommand.Run(o, console),
        CronOptions o => CronCommand.Run(o, console),
        BackupOptions o => BackupCommand.Run(o, console, input),
        NotifyOptions o => NotifyCommand.Run(o, console, input),
        DestroyOptions o => DestroyCommand.Run(o, console),
        SecretsOptions o => SecretsCommand.Run(o, console, input),
        RegistryOptions o => RegistryCommand.Run(o, console, input),
        TargetOptions o => TargetCommand.Run(o, console, input),
        FirewallOptions o => FirewallCommand.Run(o, console),
        RepoOptions o => RepoCommand.Run(o, console, input),
        SyncOptions o => SyncCommand.Run(o, console),
        ServerOptionsCli o => ServerCommand.Run(o, console),
        QuickstartOptions o => QuickstartCommand.Run(o, console),
        LoginOptions o => LoginCommand.Run(o, console, input),
        LogoutOptions o => LoginCommand.Logout(o, console),
        EnvOptions o => EnvCommand.Run(o, console),
        PromoteOptions o => PromoteCommand.Run(o, console),
        ApproveOptions o => ApproveCommand.Run(o, console),
        RollbackOptions o => RollbackCommand.Run(o, console),
        UsersOptions o => UsersCommand.Run(o, console, input),
        TokensOptions o => TokensCommand.Run(o, console),
        AuditOptions o => AuditCommand.Run(o, console),
        AdminOptions o => AdminCommand.Run(o, console),
        CompletionOptions o => CompletionCommand.Run(o, console),
        _ => throw new InvalidOperationException($"no command for {options.GetType().Name}"),
    };

    private static int Usage(ParserResult<object> parsed, List<Error> errors, CliConsole console)
    {
        var help = HelpText.AutoBuild(parsed, h =>
        {
            h.Heading = "paas: deploy apps from Git to your own servers";
            h.Copyright = "";
            h.AdditionalNewLineAfterOption = false;
            h = HelpText.DefaultParsingErrorsHandler(parsed, h); // what was wrong ("Option 'o, output' is defined multiple times"), above the help; none for --help
            if (System.Reflection.CustomAttributeExtensions.GetCustomAttribute<VerbAttribute>(parsed.TypeInfo.Current) is { } verb)
            {
                h.AddPreOptionsLine($"paas {verb.Name}: {verb.HelpText}"); // a command's help says which command it is
            }

            return h;
        }, e => e, verbsIndex: true);
        // Help asked for anywhere, whatever else is missing (`paas secrets set --help` reads --help after
        // a value as an unknown option, and misses the values set needs), or paas alone: the command list.
        var asked = errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError || e is UnknownOptionError { Token: "help" })
            || errors.All(e => e.Tag is ErrorType.VersionRequestedError or ErrorType.NoVerbSelectedError);
        (asked ? console.Raw : console.Error).WriteLine(help);
        return asked ? ExitCodes.Ok : ExitCodes.Usage;
    }
}
