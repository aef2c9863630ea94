namespace Recorder.Signing.TimeStamping;

/// <summary>
/// Object identifiers Recorder assigns itself. Recorder has no IANA enterprise number; its arc is a
/// UUID-derived OID under <c>2.25</c> (ITU-T X.667 / ISO/IEC 9834-8: any UUID, written as one decimal
/// integer, is an OID its holder may sub-allocate without registration), taken from the random
/// UUID <c>19146adf-c09d-4372-a5d2-73748225c0d4</c>.
/// </summary>
public static class RecorderOids
{
    /// <summary>Recorder's arc: <c>2.25.33336713494703062885987674552839553236</c>.</summary>
    public const string Arc = "2.25.33336713494703062885987674552839553236";

    /// <summary>
    /// The policy of Recorder's built-in time-stamp authority, version 1 (<c>Arc.1.1</c>): the
    /// <c>genTime</c> is read from the recording host's clock, which nobody but the operator vouches
    /// for; see docs/time-stamping.md.
    /// </summary>
    public const string BuiltInTimeStampPolicyV1 = Arc + ".1.1";
}
