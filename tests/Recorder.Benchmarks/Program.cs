using BenchmarkDotNet.Running;
using Recorder.Benchmarks;
using Recorder.Benchmarks.Agreement;

// dotnet run --project tests/Recorder.Benchmarks -c Release -- [compare options]   side-by-side figures against the baselines
// dotnet run --project tests/Recorder.Benchmarks -c Release -- ledger [--entries N]   custody ledger: durable appends/s, verify time, proof time and size
// dotnet run --project tests/Recorder.Benchmarks -c Release -- index [--capture FILE]  index size per column family and lookup times
// dotnet run --project tests/Recorder.Benchmarks -c Release -- micro [BenchmarkDotNet options]   hot-path micro-benchmarks
// dotnet run --project tests/Recorder.Benchmarks -c Release -- service [service options]   the investigation service under load
// dotnet run --project tests/Recorder.Benchmarks -c Release -- needle [--store DIR --host H --port P]   where a warm query's time goes
// dotnet run --project tests/Recorder.Benchmarks -c Release -- history [--queries N] [--requests R]   the dashboard's history pages with 10 000 queries
// dotnet run --project tests/Recorder.Benchmarks -c Release -- sessions [--capture FILE] [--runs N]   session metadata throughput on one core (issue 12)
// dotnet run --project tests/Recorder.Benchmarks -c Release -- session-index --store DIR [--baseline DIR] [--runs N]   session metadata size and search times (issue 12)
// dotnet run --project tests/Recorder.Benchmarks -c Release -- agreement [--capture FILE]... [--seed N]   sessions, DNS, HTTP, TLS and file hashes against tshark, per field (issue 12)
// dotnet run --project tests/Recorder.Benchmarks -c Release -- import-memory [--sizes 2,20] [--segment-bytes N]   import peak RSS as the capture grows
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Comparison).Assembly).Run(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "ledger")
{
    return LedgerFigures.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "index")
{
    return IndexFigures.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "needle")
{
    return NeedleProfile.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "import-memory")
{
    return ImportMemory.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "sessions")
{
    return SessionFigures.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "session-index")
{
    return SessionIndexFigures.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "agreement")
{
    return AgreementFigures.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "history")
{
    return HistoryFigures.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "service")
{
    return ServiceLoad.Run(args[1..]);
}

return Comparison.Run(args);
