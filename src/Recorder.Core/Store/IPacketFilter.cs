namespace Recorder.Core.Store;

/// <summary>A compiled packet filter (a libpcap expression) for one link type.</summary>
public interface IPacketFilter : IDisposable
{
    /// <summary>True when the packet matches.</summary>
    bool Matches(ReadOnlySpan<byte> data, uint originalLength);
}

/// <summary>Compiles filter expressions.</summary>
public interface IPacketFilterCompiler
{
    /// <summary>
    /// Compiles <paramref name="expression"/> for <paramref name="linkType"/> (a LINKTYPE_ value, as
    /// capture files and stored packets carry it, not a platform's DLT_ value), selecting what tcpdump
    /// selects reading a file of that link type; returns null and the compiler's message when the
    /// expression is not valid for that link type.
    /// </summary>
    IPacketFilter? TryCompile(string expression, int linkType, out string error);
}
