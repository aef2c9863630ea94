using BenchmarkDotNet.Running;
using Recorder.Benchmarks;

// dotnet run --project tests/Recorder.Benchmarks -c Release -- [compare options]   side-by-side figures against the baselines
// dotnet run --project tests/Recorder.Benchmarks -c Release -- micro [BenchmarkDotNet options]   hot-path micro-benchmarks
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Comparison).Assembly).Run(args[1..]);
    return 0;
}

return Comparison.Run(args);
