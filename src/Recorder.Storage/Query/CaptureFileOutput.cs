using System.Text.Json.Nodes;
using Recorder.Core.Formats;
using Recorder.Storage.Store;

namespace Recorder.Storage.Query;

/// <summary>A finished query output file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">pcap or pcapng.</param>
/// <param name="Packets">Packets in it.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">SHA-256 of its bytes.</param>
/// <param name="LinkTypes">Link types of its packets.</param>
public sealed record OutputFile(string Path, CaptureFileFormat Format, long Packets, long Bytes, string Sha256, IReadOnlyList<int> LinkTypes)
{
    /// <summary>JSON for output and the ledger.</summary>
    public JsonObject ToJson() => new()
    {
        ["path"] = Path,
        ["format"] = Format == CaptureFileFormat.Pcap ? "pcap" : "pcapng",
        ["packets"] = Packets,
        ["bytes"] = Bytes,
        ["sha256"] = Sha256,
        ["linkTypes"] = new JsonArray(LinkTypes.Select(l => (JsonNode)l).ToArray()),
    };
}

/// <summary>
/// Writes a query's packets to a file in the format chosen (<see cref="OutputFormatChoice"/>):
/// automatically classic nanosecond pcap while every packet shares one link type and fits its
/// 32-bit seconds, pcapng otherwise (a pcap started before a second link type or an out-of-range
/// timestamp appeared is converted); pcapng when asked; and, when classic pcap is asked for, pcap or
/// an <see cref="OutputFormatException"/>, never pcapng under a name that promised pcap. The file is
/// built under a temporary name and renamed into place, flushed to disk, only when complete: a failed
/// query leaves no half-written output. The rename never replaces a file that is already there (one
/// made after the caller looked included) unless the caller asked to replace it: an output path
/// reused by mistake must not turn an earlier capture into this one. A pcapng output names its query
/// in the section header's comment.
/// </summary>
public sealed class CaptureFileOutput : IDecryptionSecretsSink, IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly string _application;
    private readonly string? _comment;
    private readonly OutputFormatChoice _choice;
    private readonly bool _replaceExisting;
    private readonly List<int> _linkTypes = [];
    private HashingFileWriter _file;
    private CaptureWriter _writer;
    private bool _completed;
    private bool _refused;
    private long? _refusedTime;

    /// <summary>Starts an output at <paramref name="path"/>; <paramref name="forcePcapng"/> always writes pcapng, else the format is automatic.</summary>
    public CaptureFileOutput(string path, bool forcePcapng, string application, string? comment = null, bool replaceExisting = false)
        : this(path, forcePcapng ? OutputFormatChoice.Pcapng : OutputFormatChoice.Automatic, application, comment, replaceExisting)
    {
    }

    /// <summary>
    /// Starts an output at <paramref name="path"/> in the format <paramref name="format"/> allows;
    /// <paramref name="replaceExisting"/> lets <see cref="Complete"/> replace a file already at the path
    /// (the caller has established that no evidence is lost by it).
    /// </summary>
    public CaptureFileOutput(string path, OutputFormatChoice format, string application, string? comment = null, bool replaceExisting = false)
    {
        _comment = comment;
        _choice = format;
        _replaceExisting = replaceExisting;
        _path = System.IO.Path.GetFullPath(path);
        _application = application;
        _temporary = _path + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        (_file, _writer) = OpenTemporary(_temporary, format == OutputFormatChoice.Pcapng ? CaptureFileFormat.Pcapng : CaptureFileFormat.Pcap);
    }

    /// <summary>Packets written so far.</summary>
    public long Packets => _writer.Packets;

    /// <inheritdoc />
    public void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data)
    {
        var newLinkType = !_linkTypes.Contains(linkType);
        if (newLinkType)
        {
            _linkTypes.Add(linkType);
        }

        if (_refused)
        {
            return;
        }

        if (_writer.Format == CaptureFileFormat.Pcap
            && ((_writer.HeaderWritten && newLinkType) || !FitsClassicPcap(timestampNanoseconds)))
        {
            if (_choice == OutputFormatChoice.Pcap)
            {
                // Asked for classic pcap: converting would hand back pcapng under a name and a
                // request that said pcap. Stop writing but keep collecting link types, so the
                // failure Complete reports names all of them, not just the first two.
                _refused = true;
                _refusedTime = newLinkType && _writer.HeaderWritten ? null : timestampNanoseconds;
                return;
            }

            ConvertToPcapng();
        }

        _writer.Write(linkType, timestampNanoseconds, originalLength, data);
    }

    /// <summary>
    /// Writes a pcapng Decryption Secrets Block here, in front of the packets still to come (readers
    /// apply it to the packets after it). An automatic format becomes pcapng (the file so far is
    /// converted); when classic pcap was asked for, nothing is written and the answer is false: the
    /// caller must say that the secrets were not carried.
    /// </summary>
    public bool TryWriteDecryptionSecrets(uint secretsType, ReadOnlySpan<byte> secrets)
    {
        if (_refused || _choice == OutputFormatChoice.Pcap)
        {
            return false;
        }

        if (_writer.Format == CaptureFileFormat.Pcap)
        {
            ConvertToPcapng();
        }

        _writer.WriteDecryptionSecrets(secretsType, secrets);
        return true;
    }

    /// <summary>Finishes the file (an empty result is a valid capture file with no packets).</summary>
    /// <exception cref="OutputFormatException">Classic pcap was asked for and cannot hold the answer; nothing is left on disk once this output is disposed.</exception>
    /// <exception cref="OutputExistsException">A file is at the path and replacing it was not allowed; nothing is kept.</exception>
    public OutputFile Complete(int linkTypeWhenEmpty = 1)
    {
        if (_refused)
        {
            throw new OutputFormatException([.. _linkTypes], _refusedTime);
        }

        if (!_writer.HeaderWritten)
        {
            _writer.WriteHeader(linkTypeWhenEmpty);
        }

        var sha = _file.Finish();
        var bytes = _file.Length;
        var format = _writer.Format;
        var packets = _writer.Packets;
        _file.Dispose();
        try
        {
            // Without overwrite the move is a link-then-unlink on Unix: it fails rather than replace a file created meanwhile.
            File.Move(_temporary, _path, overwrite: _replaceExisting);
        }
        catch (IOException e) when (!_replaceExisting && File.Exists(_path))
        {
            throw new OutputExistsException(_path, e);
        }

        DurableFile.SyncDirectory(System.IO.Path.GetDirectoryName(_path)!);
        _completed = true;
        return new OutputFile(_path, format, packets, bytes, sha, _linkTypes.Order().ToList());
    }

    /// <summary>Removes the temporary file of an output that was never completed.</summary>
    public void Dispose()
    {
        if (_completed)
        {
            return;
        }

        _file.Dispose();
        if (File.Exists(_temporary))
        {
            File.Delete(_temporary);
        }
    }

    /// <summary>Classic pcap holds unsigned 32-bit seconds: 1970 to early 2106.</summary>
    private static bool FitsClassicPcap(long nanoseconds) => nanoseconds >= 0 && nanoseconds / 1_000_000_000L <= uint.MaxValue;

    private (HashingFileWriter, CaptureWriter) OpenTemporary(string path, CaptureFileFormat format)
    {
        var file = new HashingFileWriter(path);
        return (file, new CaptureWriter(file, format, _application, comment: _comment));
    }

    private void ConvertToPcapng()
    {
        var hadPackets = _writer.HeaderWritten;
        _file.Finish();
        _file.Dispose();
        var old = _temporary + ".pcap";
        File.Move(_temporary, old);
        (_file, _writer) = OpenTemporary(_temporary, CaptureFileFormat.Pcapng);
        if (hadPackets)
        {
            using var reader = CaptureFileReader.Open(old);
            while (reader.TryRead(out var packet))
            {
                _writer.Write(packet.LinkType, packet.TimestampNanoseconds, packet.OriginalLength, packet.Data);
            }
        }

        File.Delete(old);
    }
}

/// <summary>An output file would have replaced a file already at its path; nothing was written there.</summary>
public sealed class OutputExistsException : IOException
{
    /// <summary>A refusal whose path is not known (for serializers).</summary>
    public OutputExistsException()
        : this("?")
    {
    }

    /// <summary>The output at <paramref name="path"/> was refused because a file is there.</summary>
    public OutputExistsException(string path)
        : base($"{path} already exists; an extraction never writes over a file")
    {
        Path = path;
    }

    /// <summary>The output at <paramref name="path"/> was refused because a file is there (<paramref name="innerException"/>: the failed rename).</summary>
    public OutputExistsException(string path, Exception innerException)
        : base($"{path} already exists; an extraction never writes over a file", innerException)
    {
        Path = path;
    }

    /// <summary>The output path that was already taken.</summary>
    public string Path { get; } = "?";
}
