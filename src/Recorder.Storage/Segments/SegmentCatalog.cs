using System.Security.Cryptography;
using Recorder.Core.Hashing;
using Recorder.Storage.Store;

namespace Recorder.Storage.Segments;

/// <summary>Finds sealed segments on disk: a segment is sealed exactly when its manifest exists.</summary>
public static class SegmentCatalog
{
    /// <summary>The ids of every manifest under the segments directory, ascending.</summary>
    public static IReadOnlyList<long> ListManifestIds(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var ids = new List<long>();
        if (!Directory.Exists(layout.SegmentsDirectory))
        {
            return ids;
        }

        foreach (var bucket in Directory.EnumerateDirectories(layout.SegmentsDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(bucket, "*.manifest.json"))
            {
                var name = Path.GetFileName(file);
                if (StoreLayout.TryParseSegmentName(name[..^".manifest.json".Length], out var id))
                {
                    ids.Add(id);
                }
            }
        }

        ids.Sort();
        return ids;
    }

    /// <summary>
    /// The highest segment id anything on disk speaks for: a manifest, or a segment file whose
    /// sealing is not under way (no seal intent). Ids run 1..this without gaps (the sealer takes the
    /// next id under the seal lock), so any id below it without a readable manifest is a sealed
    /// segment that was damaged or removed, not one that never existed. 0 for an empty store.
    /// </summary>
    public static long HighestSegmentId(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var highest = 0L;
        if (!Directory.Exists(layout.SegmentsDirectory))
        {
            return highest;
        }

        foreach (var bucket in Directory.EnumerateDirectories(layout.SegmentsDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(bucket))
            {
                var name = Path.GetFileName(file);
                if (name.Length > 12 && StoreLayout.TryParseSegmentName(name[..12], out var id) && id > highest
                    && (name[12..] is ".manifest.json" || (name[12..] is ".pcapng" or ".pcap" && !File.Exists(layout.SealIntentFile(id)))))
                {
                    highest = id;
                }
            }
        }

        return highest;
    }

    /// <summary>Every file in the segments directory that belongs to no sealed segment.</summary>
    public static IReadOnlyList<string> ListStrayFiles(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var stray = new List<string>();
        if (!Directory.Exists(layout.SegmentsDirectory))
        {
            return stray;
        }

        var sealedIds = ListManifestIds(layout).ToHashSet();
        foreach (var bucket in Directory.EnumerateDirectories(layout.SegmentsDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(bucket))
            {
                var name = Path.GetFileName(file);
                var dot = name.IndexOf('.', StringComparison.Ordinal);
                var known = dot == 12 && StoreLayout.TryParseSegmentName(name[..12], out var id) && sealedIds.Contains(id)
                    && name[12..] is ".pcapng" or ".pcap" or ".manifest.json" or ".manifest.sig" or StoreLayout.SessionsExtension
                        or StoreLayout.SessionBlocksExtension;
                if (!known)
                {
                    stray.Add(file);
                }
            }
        }

        return stray;
    }

    /// <summary>
    /// Reads segment <paramref name="id"/>'s manifest as it is on disk (not verified): the segment, or
    /// why it cannot be read, naming the file.
    /// </summary>
    public static (SealedSegment? Segment, string? Problem) Load(StoreLayout layout, long id)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var path = layout.ManifestFile(id);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, $"manifest {layout.Relative(path)} is missing");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"manifest {layout.Relative(path)} cannot be read: {e.Message}");
        }

        try
        {
            var manifest = SegmentManifest.Parse(bytes);
            return (new SealedSegment(manifest, bytes, Hex.Lower(SHA256.HashData(bytes)), layout.SegmentFile(id, manifest.FileFormat), path,
                layout.SignatureFile(id)), null);
        }
        catch (FormatException e)
        {
            return (null, $"manifest {layout.Relative(path)} is damaged: {e.Message}");
        }
    }
}
