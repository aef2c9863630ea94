using System.Globalization;

namespace Recorder.Storage.Query;

/// <summary>
/// The answer to a query cannot be written in the format that was asked for (classic pcap holds one
/// link type and unsigned 32-bit seconds). Nothing was written: the partial output is removed.
/// </summary>
public sealed class OutputFormatException : Exception
{
    /// <summary>A failure naming the link types found (<paramref name="linkTypes"/>, in order of appearance) and what to ask for instead.</summary>
    public OutputFormatException(IReadOnlyList<int> linkTypes, long? timestampNanoseconds)
        : base(Describe(linkTypes, timestampNanoseconds))
    {
        LinkTypes = linkTypes;
        TimestampNanoseconds = timestampNanoseconds;
    }

    /// <summary>The standard constructors (CA1032); the one naming the link types is the one to throw.</summary>
    public OutputFormatException()
        : this([], null)
    {
    }

    /// <inheritdoc cref="OutputFormatException()"/>
    public OutputFormatException(string message)
        : base(message) => LinkTypes = [];

    /// <inheritdoc cref="OutputFormatException()"/>
    public OutputFormatException(string message, Exception innerException)
        : base(message, innerException) => LinkTypes = [];

    /// <summary>The link types of the answer's packets up to the failure, in order of appearance.</summary>
    public IReadOnlyList<int> LinkTypes { get; }

    /// <summary>The timestamp classic pcap could not hold, when that was the reason.</summary>
    public long? TimestampNanoseconds { get; }

    private static string Describe(IReadOnlyList<int> linkTypes, long? timestampNanoseconds)
    {
        if (timestampNanoseconds is { } ns)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"classic pcap holds times from 1970 to 2106 only, and a matching packet is at {ns} ns since 1970: ask for pcapng (--format pcapng)");
        }

        var names = string.Join(", ", linkTypes.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l} ({Core.Packets.LinkTypes.Name(l)})")));
        return $"classic pcap holds one link type, and the matching packets have link types {names}: ask for pcapng (--format pcapng)";
    }
}
