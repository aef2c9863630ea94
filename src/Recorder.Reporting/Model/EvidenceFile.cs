using Recorder.Core.Time;

namespace Recorder.Reporting.Model;

/// <summary>One extracted capture file of the package.</summary>
/// <param name="Name">Path inside the package, e.g. <c>evidence/q-7f3a.pcap</c>.</param>
/// <param name="SizeBytes">File size in bytes.</param>
/// <param name="Packets">Number of packets in the file.</param>
/// <param name="FirstPacket">Timestamp of the first packet; null when the file holds none.</param>
/// <param name="LastPacket">Timestamp of the last packet; null when the file holds none.</param>
/// <param name="Sha256">SHA-256 of the file, 64 lower-case hex digits.</param>
/// <param name="Sha1">SHA-1 of the file, 40 lower-case hex digits (for tools that still ask).</param>
/// <param name="Md5">MD5 of the file, 32 lower-case hex digits (for tools that still ask).</param>
/// <param name="LinkTypes">LINKTYPE_ values present in the file.</param>
public sealed record EvidenceFile(
    string Name,
    long SizeBytes,
    long Packets,
    Timestamp? FirstPacket,
    Timestamp? LastPacket,
    string Sha256,
    string Sha1,
    string Md5,
    IReadOnlyList<int> LinkTypes);
