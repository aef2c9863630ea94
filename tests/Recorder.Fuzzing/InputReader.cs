namespace Recorder.Fuzzing;

/// <summary>Reads one fuzzing input whole (afl-fuzz hands it over as a stream).</summary>
internal static class InputReader
{
    public static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
