namespace Recorder.Core.Hashing;

/// <summary>Lower-case hexadecimal, the form every hash in Recorder's files and output takes.</summary>
public static class Hex
{
    /// <summary>Lower-case hex of <paramref name="bytes"/>.</summary>
    public static string Lower(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Parses hex (either case); throws <see cref="FormatException"/> on anything else.</summary>
    public static byte[] Parse(string hex) => Convert.FromHexString(hex);

    /// <summary>True when <paramref name="text"/> is exactly <paramref name="bytes"/>×2 lower-case hex digits.</summary>
    public static bool IsLowerHex(string? text, int bytes)
    {
        if (text is null || text.Length != bytes * 2)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || (c >= 'a' && c <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
