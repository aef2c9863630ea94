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
                    && name[12..] is ".pcapng" or ".pcap" or ".manifest.json" or ".manifest.sig";
                if (!known)
                {
                    stray.Add(file);
                }
            }
        }

        return stray;
    }
}
