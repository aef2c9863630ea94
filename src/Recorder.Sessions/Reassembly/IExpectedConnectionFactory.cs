namespace Recorder.Sessions.Reassembly;

/// <summary>
/// A factory that also recognises connections another session announced (FTP's data connections,
/// set up on the control connection): identification by the announcement, not by the port alone.
/// The builder asks it for each new TCP session before any payload, so such a connection is
/// dissected from its first octet whatever it carries.
/// </summary>
public interface IExpectedConnectionFactory
{
    /// <summary>A dissector for <paramref name="session"/> when it is an announced connection (its endpoints are set, no packet delivered yet); else null.</summary>
    IStreamDissector? ClaimExpected(SessionRecord session, out string application);
}
