using Recorder.Core.Indexing;

namespace Recorder.Index;

/// <summary>Opens <see cref="RocksPacketIndex"/> databases for a store.</summary>
public sealed class RocksPacketIndexProvider : IPacketIndexProvider
{
    /// <inheritdoc />
    public IPacketIndexWriter OpenWriter(string directory) => RocksPacketIndex.OpenWriter(directory);

    /// <inheritdoc />
    public IPacketIndex? OpenReader(string directory) => RocksPacketIndex.Exists(directory) ? RocksPacketIndex.OpenReader(directory) : null;
}
