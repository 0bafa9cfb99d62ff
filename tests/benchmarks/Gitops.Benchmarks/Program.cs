using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/benchmarks/Gitops.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
