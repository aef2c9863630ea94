namespace Recorder.Storage.Query;

/// <summary>
/// A query output that can also take pcapng Decryption Secrets Blocks between its packets: the
/// command line's <see cref="CaptureFileOutput"/> and the service's result writer alike, so the one
/// injector of key log secrets serves both.
/// </summary>
public interface IDecryptionSecretsSink : IQueryPacketSink
{
    /// <summary>
    /// Writes a Decryption Secrets Block in front of the packets still to come (readers apply it to
    /// the packets after it). False when the output's format has no place for it (classic pcap): the
    /// caller must then say that the secrets were not carried.
    /// </summary>
    bool TryWriteDecryptionSecrets(uint secretsType, ReadOnlySpan<byte> secrets);
}
