namespace Recorder.Sessions;

/// <summary>
/// Zeek's per-endpoint TCP states and its <c>conn_state</c> summary (Zeek
/// base/protocols/conn/main.zeek, <c>conn_state()</c>), plus the history letters S H A D F R.
/// </summary>
internal struct TcpConnectionState
{
    private EndpointState client;
    private EndpointState server;
    private HistoryLetters clientLetters;
    private HistoryLetters serverLetters;
    private string history;

    private enum EndpointState : byte
    {
        Inactive,
        SynSent,
        SynAckSent,
        Partial,
        Established,
        Closed,
        Reset,
    }

    [Flags]
    private enum HistoryLetters : byte
    {
        None = 0,
        Syn = 1,
        SynAck = 2,
        Ack = 4,
        Data = 8,
        Fin = 16,
        Rst = 32,
    }

    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte AckFlag = 0x10;

    public readonly string History => history ?? string.Empty;

    /// <summary>True once both sides closed (FIN) or either reset: the connection is over.</summary>
    public readonly bool IsFinished =>
        client == EndpointState.Reset || server == EndpointState.Reset
        || (client == EndpointState.Closed && server == EndpointState.Closed);

    public void Observe(bool fromClient, byte flags, bool hasData)
    {
        ref var me = ref fromClient ? ref client : ref server;
        ref var other = ref fromClient ? ref server : ref client;
        var syn = (flags & Syn) != 0;
        var ack = (flags & AckFlag) != 0;
        if ((flags & Rst) != 0)
        {
            me = EndpointState.Reset;
            Letter(fromClient, HistoryLetters.Rst, 'R');
            return;
        }

        if (syn && !ack)
        {
            if (me == EndpointState.Inactive)
            {
                me = EndpointState.SynSent;
            }

            Letter(fromClient, HistoryLetters.Syn, 'S');
        }
        else if (syn)
        {
            if (me == EndpointState.Inactive)
            {
                me = EndpointState.SynAckSent;
            }

            Letter(fromClient, HistoryLetters.SynAck, 'H');
        }
        else
        {
            if (me == EndpointState.Inactive)
            {
                me = EndpointState.Partial;
            }

            if (ack && me is EndpointState.SynSent or EndpointState.SynAckSent
                && other is EndpointState.SynSent or EndpointState.SynAckSent or EndpointState.Established)
            {
                me = EndpointState.Established;
                other = EndpointState.Established;
            }

            if (ack && !hasData)
            {
                Letter(fromClient, HistoryLetters.Ack, 'A');
            }
        }

        if (hasData)
        {
            Letter(fromClient, HistoryLetters.Data, 'D');
        }

        if ((flags & Fin) != 0)
        {
            me = EndpointState.Closed;
            Letter(fromClient, HistoryLetters.Fin, 'F');
        }
    }

    /// <summary>Zeek's conn_state for a TCP connection; payload sizes decide REJ after two resets.</summary>
    public readonly string ConnState(long clientPayload, long serverPayload)
    {
        var clientInactive = client is EndpointState.Inactive or EndpointState.Partial;
        var serverInactive = server is EndpointState.Inactive or EndpointState.Partial;
        if (server == EndpointState.Reset)
        {
            if (client is EndpointState.SynSent or EndpointState.SynAckSent
                || (client == EndpointState.Reset && clientPayload == 0 && serverPayload == 0))
            {
                return "REJ";
            }

            return clientInactive ? "RSTRH" : "RSTR";
        }

        if (client == EndpointState.Reset)
        {
            if (serverInactive)
            {
                // Zeek: history matches /^?S[^HAFGIQ]*R.*/ (a SYN, then a reset before any answer).
                return IsSynThenReset() ? "RSTOS0" : "OTH";
            }

            return "RSTO";
        }

        if (client == EndpointState.Closed && server == EndpointState.Closed)
        {
            return "SF";
        }

        if (client == EndpointState.Closed)
        {
            return serverInactive ? "SH" : "S2";
        }

        if (server == EndpointState.Closed)
        {
            return clientInactive ? "SHR" : "S3";
        }

        if (client == EndpointState.SynSent && server == EndpointState.Inactive)
        {
            return "S0";
        }

        if (client == EndpointState.Established && server == EndpointState.Established)
        {
            return "S1";
        }

        return "OTH";
    }

    private readonly bool IsSynThenReset()
    {
        var h = History;
        if (h.Length == 0 || h[0] != 'S')
        {
            return false;
        }

        for (var i = 1; i < h.Length; i++)
        {
            switch (h[i])
            {
                case 'R':
                    return true;
                case 'H' or 'A' or 'F':
                    return false;
            }
        }

        return false;
    }

    private void Letter(bool fromClient, HistoryLetters letter, char upper)
    {
        ref var seen = ref fromClient ? ref clientLetters : ref serverLetters;
        if ((seen & letter) != 0)
        {
            return;
        }

        seen |= letter;
        history = (history ?? string.Empty) + (fromClient ? upper : char.ToLowerInvariant(upper));
    }
}
