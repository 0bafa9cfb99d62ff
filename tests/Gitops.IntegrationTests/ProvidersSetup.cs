using System.Runtime.CompilerServices;
using Gitops.Cli;

namespace Gitops.IntegrationTests;

/// <summary>The tests run the server and the engine in-process too: they get the CLI's providers before anything loads a platform.</summary>
internal static class ProvidersSetup
{
    [ModuleInitializer]
    internal static void Register() => PlatformProviders.Register();
}
