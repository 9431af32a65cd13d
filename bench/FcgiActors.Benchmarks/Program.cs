using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/FcgiActors.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
