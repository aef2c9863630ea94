using Recorder.Application.Packaging;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// An evidence package's JSON through <see cref="PackageVerifier"/>. The input is the package's
/// <c>manifest.json</c>, optionally followed by a NUL byte and its <c>custody/entries.jsonl</c>
/// (JSON text holds no raw NUL, so the split is unambiguous and one input reaches both readers).
/// They are written into a package folder holding one small capture (<c>evidence/q1.pcap</c>, which
/// the seed lists) and the folder is verified. The verifier's contract is a report listing every
/// finding, so any exception at all is a crash (a package is exactly the kind of input an outside
/// party hands over).
/// </summary>
internal sealed class ManifestHarness : IFuzzHarness, IDisposable
{
    // One folder per instance: the replay tests run several harnesses at once in one process.
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"recorder-fuzz-package-{Guid.NewGuid():N}");

    public ManifestHarness()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "evidence"));
        Directory.CreateDirectory(Path.Combine(_folder, "custody"));
        File.WriteAllBytes(Path.Combine(_folder, "evidence", "q1.pcap"), OnePacketPcap());
    }

    public string Name => "manifest";

    public string Description => "PackageVerifier.Verify on a package of manifest.json [NUL custody/entries.jsonl]; refusal: findings in the report";

    public void Run(ReadOnlySpan<byte> input)
    {
        var split = input.IndexOf((byte)0);
        File.WriteAllBytes(Path.Combine(_folder, "manifest.json"), (split < 0 ? input : input[..split]).ToArray());
        var entries = Path.Combine(_folder, "custody", "entries.jsonl");
        if (split < 0)
        {
            File.Delete(entries);
        }
        else
        {
            File.WriteAllBytes(entries, input[(split + 1)..].ToArray());
        }

        _ = PackageVerifier.Verify(_folder);
    }

    private static byte[] OnePacketPcap()
    {
        // Little-endian microsecond pcap, Ethernet, one 20-byte record at 2023-11-14T22:13:20Z.
        var pcap = new byte[24 + 16 + 20];
        BitConverter.TryWriteBytes(pcap.AsSpan(0), 0xA1B2C3D4u);
        BitConverter.TryWriteBytes(pcap.AsSpan(4), (ushort)2);
        BitConverter.TryWriteBytes(pcap.AsSpan(6), (ushort)4);
        BitConverter.TryWriteBytes(pcap.AsSpan(16), 65535u);
        BitConverter.TryWriteBytes(pcap.AsSpan(20), 1u);
        BitConverter.TryWriteBytes(pcap.AsSpan(24), 1_700_000_000u);
        BitConverter.TryWriteBytes(pcap.AsSpan(32), 20u);
        BitConverter.TryWriteBytes(pcap.AsSpan(36), 20u);
        return pcap;
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
