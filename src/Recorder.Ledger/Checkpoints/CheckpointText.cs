using System.Globalization;
using System.Text;
using Recorder.Core.Time;
using Recorder.Ledger.Entries;

namespace Recorder.Ledger.Checkpoints;

/// <summary>The fields of a checkpoint's text.</summary>
/// <param name="Origin">Which log: e.g. <c>recorder.store/&lt;storeId&gt;</c>.</param>
/// <param name="Size">The tree size (number of entries covered).</param>
/// <param name="RootHash">The RFC 9162 root of the first <paramref name="Size"/> entries (32 bytes).</param>
/// <param name="Time">When the head was signed.</param>
public sealed record CheckpointBody(string Origin, long Size, byte[] RootHash, Timestamp Time);

/// <summary>
/// The exact bytes a checkpoint signature covers, in the spirit of C2SP tlog-checkpoint: four lines,
/// each ended by one LF, in UTF-8 (all ASCII):
/// <code>
/// &lt;origin&gt;
/// &lt;tree size, decimal, no leading zeros&gt;
/// &lt;root hash, standard base64 with padding (44 characters)&gt;
/// &lt;time, RFC 3339 UTC with nine fractional digits&gt;
/// </code>
/// Parsing is strict: exactly one text maps to each set of fields.
/// </summary>
public static class CheckpointText
{
    /// <summary>The longest origin accepted.</summary>
    public const int MaxOriginLength = 255;

    /// <summary>Formats the text.</summary>
    public static string Format(string origin, long size, ReadOnlySpan<byte> rootHash, Timestamp time)
    {
        ValidateOrigin(origin);
        if (size < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "negative tree size");
        }

        if (rootHash.Length != 32)
        {
            throw new ArgumentException("root hashes are 32 bytes", nameof(rootHash));
        }

        return origin + "\n" + size.ToString(CultureInfo.InvariantCulture) + "\n" + Convert.ToBase64String(rootHash) + "\n" + time + "\n";
    }

    /// <summary>Formats <paramref name="body"/>.</summary>
    public static string Format(CheckpointBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Format(body.Origin, body.Size, body.RootHash, body.Time);
    }

    /// <summary>Parses checkpoint text; on failure <paramref name="error"/> says which line is wrong and how.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out CheckpointBody body, out string error)
    {
        body = null!;
        if (!Ascii.IsValid(utf8))
        {
            error = "checkpoint text is not ASCII";
            return false;
        }

        var text = Encoding.ASCII.GetString(utf8);
        if (!text.EndsWith('\n'))
        {
            error = "checkpoint text does not end with a newline";
            return false;
        }

        var lines = text[..^1].Split('\n');
        if (lines.Length != 4)
        {
            error = $"checkpoint text has {lines.Length} lines, expected 4 (origin, size, root, time)";
            return false;
        }

        if (!IsValidOrigin(lines[0]))
        {
            error = "line 1: origin must be 1 to 255 visible ASCII characters without spaces";
            return false;
        }

        if (lines[1].Length == 0 || lines[1].Length > 19 || !lines[1].All(char.IsAsciiDigit) || (lines[1].Length > 1 && lines[1][0] == '0')
            || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            error = $"line 2: '{lines[1]}' is not a tree size (decimal, no leading zeros)";
            return false;
        }

        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException)
        {
            error = "line 3: root hash is not base64";
            return false;
        }

        if (root.Length != 32 || Convert.ToBase64String(root) != lines[2])
        {
            error = "line 3: root hash is not 32 bytes in standard padded base64";
            return false;
        }

        if (!TimeText.TryParseExact(lines[3], out var time))
        {
            error = $"line 4: '{lines[3]}' is not RFC 3339 UTC with nine fractional digits";
            return false;
        }

        body = new CheckpointBody(lines[0], size, root, time);
        error = string.Empty;
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static CheckpointBody Parse(ReadOnlySpan<byte> utf8) =>
        TryParse(utf8, out var body, out var error) ? body : throw new FormatException(error);

    /// <summary>True for 1 to 255 visible ASCII characters (0x21–0x7E).</summary>
    public static bool IsValidOrigin(string? origin) =>
        origin is { Length: > 0 and <= MaxOriginLength } && origin.All(c => c is > ' ' and < (char)0x7F);

    internal static void ValidateOrigin(string origin)
    {
        if (!IsValidOrigin(origin))
        {
            throw new ArgumentException($"origin '{origin}' must be 1 to {MaxOriginLength} visible ASCII characters without spaces", nameof(origin));
        }
    }
}
