using System.Diagnostics;
using System.Globalization;
using Recorder.Ledger.Entries;
using Recorder.Signing;
using Recorder.Signing.TimeStamping;

namespace Recorder.Ledger.Tests.Support;

/// <summary>
/// The test assembly's own entry point: run as <c>dotnet Recorder.Ledger.Tests.dll append DIR KEYPEM TSADIR COUNT PERBATCH NAME</c>
/// it appends entries to a real ledger from a separate process and prints the sequence number of
/// each entry once Append has returned (i.e. once it is durable). The multi-process and kill -9
/// tests start it.
/// </summary>
public static class ChildProcess
{
    public static int Main(string[] args)
    {
        if (args.Length == 7 && args[0] == "append")
        {
            var key = Ed25519Key.Load(args[2]);
            var tsa = BuiltInTimeStampAuthority.OpenOrCreate(args[3], TimeProvider.System);
            var ledger = CustodyLedger.Open(args[1], new LedgerOptions { Origin = TestLedger.Origin, TimeStampInterval = null }, key, tsa, TimeProvider.System);
            var count = int.Parse(args[4], CultureInfo.InvariantCulture);
            var perBatch = int.Parse(args[5], CultureInfo.InvariantCulture);
            Console.Out.Flush();
            for (var i = 0; i < count; i += perBatch)
            {
                var drafts = Enumerable.Range(i, Math.Min(perBatch, count - i)).Select(n => new LedgerDraft("child.appended")
                {
                    Subjects = new System.Text.Json.Nodes.JsonObject { ["writer"] = args[6], ["item"] = n },
                    Details = new System.Text.Json.Nodes.JsonObject { ["padding"] = new string('x', 200) },
                });
                foreach (var entry in ledger.Append(drafts))
                {
                    Console.Out.WriteLine("acked " + entry.Seq.ToString(CultureInfo.InvariantCulture) + " " + args[6] + " " + entry.Subjects["item"]);
                }

                Console.Out.Flush();
            }

            return 0;
        }

        return 2;
    }

    public static Process Start(string ledgerDir, string keyPem, string tsaDir, int count, int perBatch, string name)
    {
        var assembly = typeof(ChildProcess).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", assembly, "append", ledgerDir, keyPem, tsaDir, count.ToString(CultureInfo.InvariantCulture), perBatch.ToString(CultureInfo.InvariantCulture), name })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
