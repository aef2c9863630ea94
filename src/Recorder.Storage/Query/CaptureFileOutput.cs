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
/// Writes a query's packets to a file: classic nanosecond pcap while every packet shares one link
/// type and fits its 32-bit seconds, pcapng otherwise (a pcap started before a second link type or
/// an out-of-range timestamp appeared is converted) or when asked. The file is built under a temporary name and renamed into place, flushed to disk, only
/// when complete: a failed query leaves no half-written output. A pcapng output names its query in
/// the section header's comment.
/// </summary>
public sealed class CaptureFileOutput : IQueryPacketSink, IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly string _application;
    private readonly string? _comment;
    private readonly SortedSet<int> _linkTypes = [];
    private HashingFileWriter _file;
    private CaptureWriter _writer;
    private bool _completed;

    /// <summary>Starts an output at <paramref name="path"/>; <paramref name="forcePcapng"/> always writes pcapng.</summary>
    public CaptureFileOutput(string path, bool forcePcapng, string application, string? comment = null)
    {
        _comment = comment;
        _path = System.IO.Path.GetFullPath(path);
        _application = application;
        _temporary = _path + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        (_file, _writer) = OpenTemporary(_temporary, forcePcapng ? CaptureFileFormat.Pcapng : CaptureFileFormat.Pcap);
    }

    /// <summary>Packets written so far.</summary>
    public long Packets => _writer.Packets;

    /// <inheritdoc />
    public void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data)
    {
        if (_writer.Format == CaptureFileFormat.Pcap
            && ((_writer.HeaderWritten && !_linkTypes.Contains(linkType)) || !FitsClassicPcap(timestampNanoseconds)))
        {
            ConvertToPcapng();
        }

        _linkTypes.Add(linkType);
        _writer.Write(linkType, timestampNanoseconds, originalLength, data);
    }

    /// <summary>Finishes the file (an empty result is a valid capture file with no packets).</summary>
    public OutputFile Complete(int linkTypeWhenEmpty = 1)
    {
        if (!_writer.HeaderWritten)
        {
            _writer.WriteHeader(linkTypeWhenEmpty);
        }

        var sha = _file.Finish();
        var bytes = _file.Length;
        var format = _writer.Format;
        var packets = _writer.Packets;
        _file.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        DurableFile.SyncDirectory(System.IO.Path.GetDirectoryName(_path)!);
        _completed = true;
        return new OutputFile(_path, format, packets, bytes, sha, _linkTypes.ToList());
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
