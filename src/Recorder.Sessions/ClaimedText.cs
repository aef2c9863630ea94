using System.Globalization;
using System.Text;

namespace Recorder.Sessions;

/// <summary>
/// Text a peer sent (banners, host names, mail headers): kept as printable ASCII, every other byte
/// as <c>\xHH</c>, so a hostile value cannot carry control characters or invalid text into a record.
/// </summary>
internal static class ClaimedText
{
    /// <summary>The bytes as printable ASCII with <c>\xHH</c> escapes; a tab is kept as is when <paramref name="keepTab"/>.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes, bool keepTab = false)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7F || (keepTab && b == (byte)'\t'))
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
