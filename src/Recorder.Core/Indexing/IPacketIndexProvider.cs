namespace Recorder.Core.Indexing;

/// <summary>Opens the packet index stored in a directory.</summary>
public interface IPacketIndexProvider
{
    /// <summary>Opens for writing; only one process may hold a writer at a time.</summary>
    IPacketIndexWriter OpenWriter(string directory);

    /// <summary>Opens for reading; safe while another process writes. Null when no index exists yet.</summary>
    IPacketIndex? OpenReader(string directory);
}
