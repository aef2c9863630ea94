using System.Buffers.Binary;

namespace Recorder.Sessions.Files;

/// <summary>A file type recognised from content: a short name and its media type.</summary>
/// <param name="Name">Short name (<c>pe</c>, <c>elf</c>, <c>pdf</c>, <c>zip</c>, <c>ooxml</c>…, <c>binary</c> when nothing matched).</param>
/// <param name="MediaType">The media type that goes with it.</param>
public readonly record struct FileType(string Name, string MediaType);

/// <summary>
/// Recognises a file's type from its first octets (magic numbers), never from its name or the
/// Content-Type the sender declared. The table is in docs/sessions.md "Transferred files".
/// </summary>
public static class FileTypes
{
    /// <summary>Octets of a file's beginning that <see cref="Detect"/> looks at.</summary>
    public const int SniffLength = 512;

    /// <summary>No octets.</summary>
    public static readonly FileType Empty = new("empty", "application/x-empty");

    /// <summary>Nothing in the table matched and the octets are not text.</summary>
    public static readonly FileType Binary = new("binary", "application/octet-stream");

    /// <summary>Text with no markup recognised.</summary>
    public static readonly FileType Text = new("text", "text/plain");

    private static readonly FileType Pe = new("pe", "application/vnd.microsoft.portable-executable");
    private static readonly FileType Dos = new("mz", "application/x-dosexec");
    private static readonly FileType Elf = new("elf", "application/x-elf");
    private static readonly FileType MachO = new("macho", "application/x-mach-binary");
    private static readonly FileType Pdf = new("pdf", "application/pdf");
    private static readonly FileType Zip = new("zip", "application/zip");
    private static readonly FileType Ooxml = new("ooxml", "application/vnd.openxmlformats-officedocument");
    private static readonly FileType Gzip = new("gzip", "application/gzip");
    private static readonly FileType SevenZip = new("7z", "application/x-7z-compressed");
    private static readonly FileType Rar = new("rar", "application/vnd.rar");
    private static readonly FileType Png = new("png", "image/png");
    private static readonly FileType Jpeg = new("jpeg", "image/jpeg");
    private static readonly FileType Gif = new("gif", "image/gif");
    private static readonly FileType Html = new("html", "text/html");
    private static readonly FileType Xml = new("xml", "text/xml");
    private static readonly FileType OleCompound = new("ole", "application/x-ole-storage");

    /// <summary>The type of a file that begins with <paramref name="head"/> (its first <see cref="SniffLength"/> octets, or all of it when shorter).</summary>
    public static FileType Detect(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return Empty;
        }

        if (head.StartsWith("MZ"u8))
        {
            // The PE signature sits at e_lfanew (offset 0x3C); without it this is a DOS executable.
            if (head.Length >= 0x40)
            {
                var peOffset = BinaryPrimitives.ReadUInt32LittleEndian(head[0x3C..]);
                if (peOffset <= (uint)(head.Length - 4) && head[(int)peOffset..].StartsWith("PE\0\0"u8))
                {
                    return Pe;
                }
            }

            return Dos;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']))
        {
            return Elf;
        }

        if (head.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(head) is 0xFEEDFACE or 0xFEEDFACF)
        {
            return MachO;
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (head.StartsWith("PK\x03\x04"u8))
        {
            // OOXML packages (docx, xlsx, pptx) are ZIP files whose parts include [Content_Types].xml,
            // written first by Office; the local header's name starts at offset 30.
            if (head.Length >= 30)
            {
                var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(head[26..]);
                var name = head[30..Math.Min(head.Length, 30 + nameLength)];
                if (name.SequenceEqual("[Content_Types].xml"u8) || name.StartsWith("word/"u8) || name.StartsWith("xl/"u8) || name.StartsWith("ppt/"u8))
                {
                    return Ooxml;
                }
            }

            return Zip;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return Gzip;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C]))
        {
            return SevenZip;
        }

        if (head.StartsWith("Rar!\x1A\x07"u8))
        {
            return Rar;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return OleCompound;
        }

        return LooksLikeText(head, out var markup) ? markup : Binary;
    }

    // WHATWG MIME Sniffing §7.1: skip a BOM and leading whitespace, then look for the HTML tags it
    // lists; "binary data bytes" (§3) make the content binary.
    private static bool LooksLikeText(ReadOnlySpan<byte> head, out FileType type)
    {
        type = Text;
        foreach (var b in head)
        {
            if (b is <= 0x08 or 0x0B or (>= 0x0E and <= 0x1A) or (>= 0x1C and <= 0x1F))
            {
                return false;
            }
        }

        var text = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? head[3..] : head;
        while (!text.IsEmpty && text[0] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0x0C)
        {
            text = text[1..];
        }

        if (text.StartsWith("<?xml"u8))
        {
            type = Xml;
            return true;
        }

        ReadOnlySpan<string> tags = ["<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--"];
        foreach (var tag in tags)
        {
            if (StartsWithTag(text, tag))
            {
                type = Html;
                return true;
            }
        }

        return true;
    }

    private static bool StartsWithTag(ReadOnlySpan<byte> text, string tag)
    {
        if (text.Length <= tag.Length)
        {
            return false;
        }

        for (var i = 0; i < tag.Length; i++)
        {
            var b = text[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b -= 0x20;
            }

            if (b != tag[i])
            {
                return false;
            }
        }

        // A tag-terminating octet follows (a space or ">"), except after "<!--".
        return tag == "<!--" || text[tag.Length] is (byte)' ' or (byte)'>';
    }
}
