namespace Recorder.Storage.Query;

/// <summary>Receives a query's matching packets, in capture-time order.</summary>
public interface IQueryPacketSink
{
    /// <summary>Takes one packet; <paramref name="data"/> is valid only during the call.</summary>
    void Write(long segmentId, int linkType, long timestampNanoseconds, uint originalLength, ReadOnlySpan<byte> data);
}
