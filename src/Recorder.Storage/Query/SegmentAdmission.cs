using Recorder.Core.Query;
using Recorder.Storage.Segments;
using Recorder.Storage.Store;

namespace Recorder.Storage.Query;

/// <summary>
/// Decides which sealed segments a query reads, so that it reads only what was sealed and says what
/// it could not read (<see cref="SegmentSelection"/>). The check is cheap, done on every query: each
/// manifest is read and hashed, the hash chain is followed, signatures are verified, and the segment
/// file must be there at its sealed size. The full re-hash of the segment files is left to
/// <c>recorder verify</c> and to packaging.
/// </summary>
/// <remarks>
/// A manifest is authentic when its own Ed25519 signature verifies, or when the next manifest,
/// itself authentic, records the SHA-256 of its exact bytes (<c>previousManifestSha256</c>). Walking
/// down from the newest manifest, an intact chain therefore costs one signature and one SHA-256 of a
/// small file per segment, instead of one signature (~90 µs) per segment; a signature is verified
/// only where the chain does not already vouch. A manifest that is not authentic is never trusted for
/// its time range either, so its segment is left out of every query, whatever the window.
/// </remarks>
public sealed class SegmentAdmission
{
    private readonly EvidenceStore _store;

    /// <summary>Creates the check for <paramref name="store"/> (its layout, id and public key).</summary>
    public SegmentAdmission(EvidenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>The segments <paramref name="query"/> reads, and those that may hold matches but cannot be read.</summary>
    public SegmentSelection Select(PacketQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var highest = SegmentCatalog.HighestSegmentId(_store.Layout);
        var manifests = new ManifestState[highest + 1];
        for (var id = 1L; id <= highest; id++)
        {
            manifests[id] = Read(id);
        }

        Authenticate(manifests);
        var segments = new List<SealedSegment>();
        var leftOut = new List<SegmentLeftOut>();
        for (var id = 1L; id <= highest; id++)
        {
            var state = manifests[id];
            if (state.Problem is not null)
            {
                leftOut.Add(new SegmentLeftOut(id, state.Problem + "; its time range cannot be trusted, so it may hold packets in the window"));
                continue;
            }

            var segment = state.Segment!;
            if (segment.Manifest.Packets == 0
                || !query.Overlaps(segment.Manifest.FirstTimestamp.UnixNanoseconds, segment.Manifest.LastTimestamp.UnixNanoseconds))
            {
                continue;
            }

            if (FileProblem(segment) is { } problem)
            {
                leftOut.Add(new SegmentLeftOut(id, problem));
            }
            else
            {
                segments.Add(segment);
            }
        }

        return new SegmentSelection(segments, leftOut);
    }

    private ManifestState Read(long id)
    {
        var (segment, problem) = SegmentCatalog.Load(_store.Layout, id);
        if (segment is null)
        {
            // Segments are numbered without gaps: a missing manifest below the highest was sealed.
            return ManifestState.Failed(problem!.EndsWith(" is missing", StringComparison.Ordinal)
                ? problem + " (segments are numbered without gaps; this one was sealed)"
                : problem!);
        }

        var relative = _store.Layout.Relative(segment.ManifestPath);
        if (segment.Manifest.SegmentId != id)
        {
            return ManifestState.Failed($"manifest {relative} names segment {segment.Manifest.SegmentId}");
        }

        return segment.Manifest.StoreId == _store.StoreId
            ? new ManifestState(segment, null)
            : ManifestState.Failed($"manifest {relative} belongs to store {segment.Manifest.StoreId}, not {_store.StoreId}");
    }

    /// <summary>Marks every manifest that neither its signature nor an authentic successor vouches for, and every broken link.</summary>
    private void Authenticate(ManifestState[] manifests)
    {
        var vouched = false;
        for (var id = manifests.Length - 1; id >= 1; id--)
        {
            var state = manifests[id];
            if (state.Problem is not null)
            {
                vouched = false;
                continue;
            }

            // `vouched`: the manifest above this one is authentic and records this one's exact hash.
            if (!vouched && !SignatureVerifies(state.Segment!))
            {
                manifests[id] = ManifestState.Failed(
                    $"manifest signature ({_store.Layout.Relative(state.Segment!.SignaturePath)}) does not verify with the store key {_store.Key.Fingerprint[..16]}…");
                continue;
            }

            vouched = ChainsTo(state.Segment!, id == 1 ? null : manifests[id - 1]) is null;
        }

        // A link between two authentic manifests that does not hold means a sealed segment was
        // replaced (both are signed, yet not the same history): the later one is not the sealed successor.
        for (var id = manifests.Length - 1; id >= 1; id--)
        {
            if (manifests[id].Segment is { } segment && (id == 1 || manifests[id - 1].Problem is null)
                && ChainsTo(segment, id == 1 ? null : manifests[id - 1]) is { } broken)
            {
                manifests[id] = ManifestState.Failed(broken);
            }
        }
    }

    /// <summary>Null when <paramref name="segment"/> chains to <paramref name="previous"/> (the genesis value for segment 1), else why not.</summary>
    private static string? ChainsTo(SealedSegment segment, ManifestState? previous)
    {
        var expected = previous is null ? SegmentManifest.GenesisHash : previous.Segment?.ManifestSha256;
        return expected is not null && segment.Manifest.PreviousManifestSha256 == expected
            ? null
            : $"chain broken: its previousManifestSha256 {segment.Manifest.PreviousManifestSha256} is not " +
              (previous is null ? "the genesis value (64 zeros)" : $"the SHA-256 of segment {segment.Id - 1}'s manifest ({expected ?? "unreadable"})");
    }

    private bool SignatureVerifies(SealedSegment segment)
    {
        try
        {
            return _store.Key.Verify(segment.ManifestBytes, File.ReadAllBytes(segment.SignaturePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string? FileProblem(SealedSegment segment)
    {
        var relative = _store.Layout.Relative(segment.Path);
        try
        {
            // Opened, not just looked at: a file that exists but cannot be read is left out here, by name,
            // instead of failing the query half-way through.
            using var handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            return length == segment.Manifest.Bytes
                ? null
                : $"segment file {relative} is {length} bytes, it was sealed at {segment.Manifest.Bytes}";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"segment file {relative} is missing";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"segment file {relative} cannot be read: {e.Message}";
        }
    }

    /// <summary>A manifest as read: the segment it describes, or why it cannot be used.</summary>
    private sealed record ManifestState(SealedSegment? Segment, string? Problem)
    {
        public static ManifestState Failed(string problem) => new(null, problem);
    }
}
