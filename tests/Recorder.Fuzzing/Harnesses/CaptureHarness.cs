using Recorder.Core.Formats;

namespace Recorder.Fuzzing.Harnesses;

/// <summary>
/// <see cref="CaptureFileReader"/> over a whole file, pcap or pcapng (the reader decides by the
/// magic; the two targets differ only in their seeds). Refusal is <see cref="CaptureFormatException"/>;
/// both strict and truncation-tolerant reading are exercised, and every packet's bytes are touched
/// so a span pointing outside the record would show.
/// </summary>
internal sealed class CaptureHarness(string name) : IFuzzHarness
{
    public string Name { get; } = name;

    public string Description => "CaptureFileReader (pcap and pcapng); refusal: CaptureFormatException";

    public void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        ReadAll(bytes, acceptTruncated: false);
        ReadAll(bytes, acceptTruncated: true);
    }

    private static void ReadAll(byte[] bytes, bool acceptTruncated)
    {
        try
        {
            using var reader = CaptureFileReader.Open(new MemoryStream(bytes, writable: false), "fuzz-input", acceptTruncated);
            var checksum = 0;
            while (reader.TryRead(out var packet))
            {
                foreach (var b in packet.Data)
                {
                    checksum ^= b;
                }
            }

            GC.KeepAlive(checksum);
        }
        catch (CaptureFormatException)
        {
            // The documented refusal: names the file and offset.
        }
    }
}
