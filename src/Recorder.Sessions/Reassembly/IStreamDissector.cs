namespace Recorder.Sessions.Reassembly;

/// <summary>
/// Receives one TCP connection's reassembled bytes, both directions, in the order the reassembler
/// makes them contiguous. Implementations parse hostile input and must not throw (the builder
/// still catches, records <see cref="SessionRecord.DissectorFailure"/> and stops delivering).
/// </summary>
public interface IStreamDissector
{
    /// <summary>In-order bytes of one direction. The span is only valid during the call.</summary>
    void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds);

    /// <summary>
    /// <paramref name="missingBytes"/> of one direction were never seen (or were given up at a
    /// buffer limit); the next <see cref="OnData"/> continues after them.
    /// </summary>
    void OnGap(bool fromClient, long missingBytes);

    /// <summary>The session ended (FIN/RST, idle timeout, eviction or the end of input); called once.</summary>
    void OnEnd();

    /// <summary>
    /// True once the dissector needs no more bytes (TLS once both directions went encrypted): the
    /// builder then ends it at once (<see cref="OnEnd"/>) and stops reassembling the stream, so a long
    /// encrypted transfer costs no reassembly. Checked after each delivery; must not throw.
    /// </summary>
    bool Finished => false;
}

/// <summary>
/// Claims a TCP stream for an application from its first payload bytes and creates its dissector.
/// The session builder asks each factory in order; the first that claims names the session's
/// application. Register one per application so new ones (TLS, SSH, SMTP, FTP…) need no change to
/// the builder.
/// </summary>
public interface IStreamDissectorFactory
{
    /// <summary>The application name recorded in <see cref="SessionRecord.Application"/> (e.g. <c>http</c>).</summary>
    string Application { get; }

    /// <summary>
    /// Whether the first payload bytes seen in one direction (up to
    /// <see cref="SessionOptions.IdentificationBytes"/>, possibly fewer than a full message) belong
    /// to this application. Called again as more first bytes arrive. Must not throw.
    /// </summary>
    bool Claims(bool fromClient, ReadOnlySpan<byte> firstBytes);

    /// <summary>
    /// An extension of the one-sided claim for protocols recognised by both openings (SMTP's
    /// <c>220</c> banner and the client's <c>EHLO</c>): the first bytes of each direction, either
    /// possibly empty. By default: <see cref="Claims(bool, ReadOnlySpan{byte})"/> on either side.
    /// </summary>
    bool Claims(ReadOnlySpan<byte> clientFirstBytes, ReadOnlySpan<byte> serverFirstBytes) =>
        (!clientFirstBytes.IsEmpty && Claims(true, clientFirstBytes)) || (!serverFirstBytes.IsEmpty && Claims(false, serverFirstBytes));

    /// <summary>
    /// The dissector for a claimed session, or null when the application is identified only (the
    /// builder then stops reassembling the stream). The dissector may write
    /// <see cref="SessionRecord.Metadata"/>.
    /// </summary>
    IStreamDissector? Create(SessionRecord session);
}

/// <summary>Receives the datagrams of a UDP session once a factory claimed it.</summary>
public interface IDatagramDissector
{
    /// <summary>One datagram's payload. The span is only valid during the call. Must not throw.</summary>
    void OnDatagram(bool fromClient, ReadOnlySpan<byte> payload, long timestampNanoseconds);

    /// <summary>The session ended; called once.</summary>
    void OnEnd();
}

/// <summary>Claims a UDP session from a datagram's payload and creates its dissector.</summary>
public interface IDatagramDissectorFactory
{
    /// <summary>The application name recorded in <see cref="SessionRecord.Application"/>.</summary>
    string Application { get; }

    /// <summary>Whether this datagram belongs to the application. Must not throw.</summary>
    bool Claims(bool fromClient, ReadOnlySpan<byte> payload);

    /// <summary>The dissector (it receives the claiming datagram first), or null to identify only.</summary>
    IDatagramDissector? Create(SessionRecord session);
}
