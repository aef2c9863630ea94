using Recorder.Sessions.Quic;
using Recorder.Sessions.Reassembly;

namespace Recorder.Sessions.Tls;

/// <summary>A TLS session's metadata: what <see cref="TlsStreamParser"/> read from its reassembled streams.</summary>
public sealed class TlsSessionMetadata : ISessionMetadata
{
    /// <inheritdoc />
    public string Application => "tls";

    /// <summary>The handshake as read (set when the session ends).</summary>
    public TlsMetadata? Tls { get; internal set; }
}

/// <summary>A QUIC session's metadata: what <see cref="QuicInitialParser"/> read from its datagrams.</summary>
public sealed class QuicSessionMetadata : ISessionMetadata
{
    /// <inheritdoc />
    public string Application => "quic";

    /// <summary>The Initial packets as read (set when the session ends).</summary>
    public QuicMetadata? Quic { get; internal set; }
}

/// <summary>Feeds a TLS session's reassembled bytes to a <see cref="TlsStreamParser"/>.</summary>
internal sealed class TlsStreamDissector : IStreamDissector
{
    private readonly TlsStreamParser _parser = new();
    private readonly TlsSessionMetadata _metadata;

    public TlsStreamDissector(SessionRecord session)
    {
        _metadata = new TlsSessionMetadata();
        session.Metadata = _metadata;
    }

    public void OnData(bool fromClient, ReadOnlySpan<byte> data, long timestampNanoseconds) => _parser.Feed(fromClient, data);

    public void OnGap(bool fromClient, long missingBytes) => _parser.Gap(fromClient);

    public void OnEnd() => _metadata.Tls = _parser.Result;

    public bool Finished => _parser.Finished;
}

/// <summary>Feeds a QUIC session's datagrams to a <see cref="QuicInitialParser"/>.</summary>
internal sealed class QuicDatagramDissector : IDatagramDissector
{
    private readonly QuicInitialParser _parser = new();
    private readonly QuicSessionMetadata _metadata;

    public QuicDatagramDissector(SessionRecord session)
    {
        _metadata = new QuicSessionMetadata();
        session.Metadata = _metadata;
    }

    public void OnDatagram(bool fromClient, ReadOnlySpan<byte> payload, long timestampNanoseconds) => _parser.Feed(fromClient, payload);

    public void OnEnd() => _metadata.Quic = _parser.Result;
}
