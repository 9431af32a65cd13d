using BenchmarkDotNet.Running;
using FcgiActors.Benchmarks;

// dotnet run -c Release --project bench/FcgiActors.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/FcgiActors.Benchmarks -- responder-loop [get|post64k] [requests] [connections]
if (args.Length > 0 && args[0] == "responder-loop")
{
    return await ResponderLoop.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
